// FROZEN copy of functions/etl/validate.ts as of 102d472 (before the compiled schema; headerProblems, unchanged, left out): the oracle of
// row-differential.test.ts. Do not edit or "improve" it: it defines the behaviour the fast path must keep.
import type { ColumnRule, CsvSchema, Item } from '../../../../functions/etl/schema-types';

export type RowResult =
  | { kind: 'item'; item: Item }
  | { kind: 'filtered' }
  | { kind: 'rejected'; reasons: string[] };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DMY_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

function validDate(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

/** Dates are normalised to YYYY-MM-DD; accepted: YYYY-MM-DD, DD/MM/YYYY and ISO date-times. */
export function normaliseDate(text: string): string | undefined {
  const iso = ISO_DATE.exec(text);
  if (iso) return validDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const dmy = DMY_DATE.exec(text);
  if (dmy) return validDate(Number(dmy[3]), Number(dmy[2]), Number(dmy[1]));
  const dateTime = normaliseDateTime(text);
  return dateTime?.slice(0, 10);
}

/** Date-times must carry a zone (Z or an offset) and are normalised to UTC ISO-8601. */
export function normaliseDateTime(text: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function convert(column: string, rule: ColumnRule, text: string): { value: string | number | boolean } | { reason: string } {
  const fail = (why: string) => ({ reason: `${column}: ${why}` });
  switch (rule.type) {
    case 'string':
    case 'email': {
      let value = rule.case === 'upper' ? text.toUpperCase() : rule.case === 'lower' || rule.type === 'email' ? text.toLowerCase() : text;
      if (rule.type === 'email' && !EMAIL.test(value)) return fail(`"${text}" is not an email address`);
      if (rule.minLength !== undefined && value.length < rule.minLength) return fail(`shorter than ${rule.minLength} characters`);
      if (rule.maxLength !== undefined && value.length > rule.maxLength) return fail(`longer than ${rule.maxLength} characters`);
      if (rule.pattern && !rule.pattern.test(value)) return fail(`"${text}" does not match ${rule.pattern}`);
      value = value.normalize('NFC');
      return { value };
    }
    case 'integer':
    case 'decimal': {
      const cleaned = text.replace(/^\+/, '');
      const isNumber = rule.type === 'integer' ? /^-?\d+$/.test(cleaned) : /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cleaned);
      const value = Number(cleaned);
      if (!isNumber || !Number.isFinite(value)) return fail(`"${text}" is not ${rule.type === 'integer' ? 'an integer' : 'a number'}`);
      if (rule.type === 'integer' && !Number.isSafeInteger(value)) return fail(`"${text}" is too large for an integer`);
      if (rule.min !== undefined && value < rule.min) return fail(`${value} is below the minimum ${rule.min}`);
      if (rule.max !== undefined && value > rule.max) return fail(`${value} is above the maximum ${rule.max}`);
      return { value };
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (['true', 'yes', 'y', '1'].includes(lower)) return { value: true };
      if (['false', 'no', 'n', '0'].includes(lower)) return { value: false };
      return fail(`"${text}" is not a boolean (true/false, yes/no, 1/0)`);
    }
    case 'date': {
      const value = normaliseDate(text);
      return value ? { value } : fail(`"${text}" is not a date (YYYY-MM-DD or DD/MM/YYYY)`);
    }
    case 'datetime': {
      const value = normaliseDateTime(text);
      return value ? { value } : fail(`"${text}" is not an ISO-8601 date-time with a zone`);
    }
    case 'enum': {
      const value = rule.values?.find((v) => v.toLowerCase() === text.toLowerCase());
      return value !== undefined ? { value } : fail(`"${text}" is not one of ${(rule.values ?? []).join(', ')}`);
    }
  }
}

const own = (row: Record<string, string | undefined>, key: string): string | undefined => (Object.hasOwn(row, key) ? row[key] : undefined);

/** Sets a key as an own property even when it is "__proto__". */
function setOwn(item: Item, key: string, value: string | number | boolean): void {
  Object.defineProperty(item, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Validates and converts one row (header -> raw text) and reports every problem, not just the first. */
export function validateRow(schema: CsvSchema, row: Record<string, string | undefined>): RowResult {
  const item: Item = {};
  const reasons: string[] = [];
  for (const [column, rule] of Object.entries(schema.columns)) {
    const value = own(row, column);
    const text = (typeof value === 'string' ? value : '').trim();
    if (text === '') {
      if (rule.required) reasons.push(`${column}: required`);
      continue;
    }
    const converted = convert(column, rule, text);
    if ('reason' in converted) reasons.push(converted.reason);
    else setOwn(item, rule.attribute ?? column, converted.value);
  }
  if (reasons.length > 0) return { kind: 'rejected', reasons };
  if (schema.filter && !schema.filter(item)) return { kind: 'filtered' };
  try {
    return { kind: 'item', item: { ...item, ...schema.derive?.(item), ...schema.key(item) } };
  } catch (error) {
    return { kind: 'rejected', reasons: [`key: ${(error as Error).message}`] };
  }
}
