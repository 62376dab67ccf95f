import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { convertToAttr } from '@aws-sdk/util-dynamodb';
import type { ColumnRule, CsvSchema, Item } from './schema-types';

export type RowResult =
  | { kind: 'item'; item: Item }
  | { kind: 'filtered' }
  | { kind: 'rejected'; reasons: string[] };

/** A declared schema turned into one function per column, built once per schema rather than interpreted per row. */
export interface CompiledSchema {
  /** Validates and converts one row (header -> raw text) and reports every problem, not just the first. */
  row(values: Record<string, string | undefined>): RowResult;
  /** The item in DynamoDB's wire shape: what marshall(item) gives, errors included. */
  wire(item: Item): Record<string, AttributeValue>;
}

type Value = string | number | boolean;

/** A converter's answer for a text it refuses; the reason is left in `Converters.reason`. */
const INVALID = Symbol('invalid');
type Converter = (text: string) => Value | typeof INVALID;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DMY_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
// ASCII text is already in NFC: normalize() (an ICU call) is only needed for the rest.
const ASCII = /^[\x00-\x7f]*$/;

const DIGIT_0 = 0x30;
function digitsAt(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code < DIGIT_0 || code > DIGIT_0 + 9) return false;
  }
  return true;
}
function digitValue(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + text.charCodeAt(i) - DIGIT_0;
  return n;
}
const daysIn = (year: number, month: number) => (month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * A calendar date, as YYYY-MM-DD, or undefined. Years below 100 are refused, as Date.UTC (which maps
 * them to 19xx) made the interpreter refuse them.
 */
function calendarDate(year: number, month: number, day: number): string | undefined {
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  return `${year < 1000 ? `0${year}` : year}-${pad2(month)}-${pad2(day)}`;
}

/** Date-times must carry a zone (Z or an offset) and are normalised to UTC ISO-8601. */
export function normaliseDateTime(text: string): string | undefined {
  if (!DATE_TIME.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Dates are normalised to YYYY-MM-DD; accepted: YYYY-MM-DD, DD/MM/YYYY and ISO date-times. */
export function normaliseDate(text: string): string | undefined {
  // YYYY-MM-DD, the usual case, without a match array or a Date.
  if (text.length === 10 && text.charCodeAt(4) === 0x2d && text.charCodeAt(7) === 0x2d && digitsAt(text, 0, 4) && digitsAt(text, 5, 7) && digitsAt(text, 8, 10)) {
    return calendarDate(digitValue(text, 0, 4), digitValue(text, 5, 7), digitValue(text, 8, 10));
  }
  const iso = ISO_DATE.exec(text);
  if (iso) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const dmy = DMY_DATE.exec(text);
  if (dmy) return calendarDate(Number(dmy[3]), Number(dmy[2]), Number(dmy[1]));
  return normaliseDateTime(text)?.slice(0, 10);
}

/**
 * The message for a number outside [min, max], built in one place: with `${value}` in two branches of a
 * converter, TurboFan computed the text before the tests, on every row, and V8 allocates the text of a
 * fractional number straight in the old generation (for its number-string cache), which filled it.
 */
function outOfRange(value: number, min: number | undefined, max: number | undefined): string {
  return min !== undefined && value < min ? `${value} is below the minimum ${min}` : `${value} is above the maximum ${max}`;
}

const BOOLEANS = new Map<string, boolean>([...['true', 'yes', 'y', '1'].map((t) => [t, true] as const), ...['false', 'no', 'n', '0'].map((t) => [t, false] as const)]);

/** Builds the converter of one column; a refusal sets `state.reason` (built only then: the good path allocates nothing extra). */
function converter(column: string, rule: ColumnRule, state: { reason: string }): Converter {
  const fail = (why: string): typeof INVALID => {
    state.reason = `${column}: ${why}`;
    return INVALID;
  };
  const { minLength, maxLength, min, max, pattern } = rule;
  switch (rule.type) {
    case 'string':
    case 'email': {
      const isEmail = rule.type === 'email';
      const upper = rule.case === 'upper';
      const lower = !upper && (rule.case === 'lower' || isEmail);
      return (text) => {
        const value = upper ? text.toUpperCase() : lower ? text.toLowerCase() : text;
        if (isEmail && !EMAIL.test(value)) return fail(`"${text}" is not an email address`);
        if (minLength !== undefined && value.length < minLength) return fail(`shorter than ${minLength} characters`);
        if (maxLength !== undefined && value.length > maxLength) return fail(`longer than ${maxLength} characters`);
        if (pattern && !pattern.test(value)) return fail(`"${text}" does not match ${pattern}`);
        return ASCII.test(value) ? value : value.normalize('NFC');
      };
    }
    case 'integer':
    case 'decimal': {
      const integer = rule.type === 'integer';
      const shape = integer ? INTEGER : DECIMAL;
      return (text) => {
        const cleaned = text.charCodeAt(0) === 0x2b ? text.slice(1) : text;
        const value = Number(cleaned);
        if (!shape.test(cleaned) || !Number.isFinite(value)) return fail(`"${text}" is not ${integer ? 'an integer' : 'a number'}`);
        if (integer && !Number.isSafeInteger(value)) return fail(`"${text}" is too large for an integer`);
        if ((min !== undefined && value < min) || (max !== undefined && value > max)) return fail(outOfRange(value, min, max));
        return value;
      };
    }
    case 'boolean':
      return (text) => BOOLEANS.get(text.toLowerCase()) ?? fail(`"${text}" is not a boolean (true/false, yes/no, 1/0)`);
    case 'date':
      return (text) => normaliseDate(text) ?? fail(`"${text}" is not a date (YYYY-MM-DD or DD/MM/YYYY)`);
    case 'datetime':
      return (text) => normaliseDateTime(text) ?? fail(`"${text}" is not an ISO-8601 date-time with a zone`);
    case 'enum': {
      // The first declared value wins when two differ only in case, as a search in order would find it.
      const byLowerCase = new Map<string, string>();
      for (const value of rule.values ?? []) if (!byLowerCase.has(value.toLowerCase())) byLowerCase.set(value.toLowerCase(), value);
      const listed = (rule.values ?? []).join(', ');
      return (text) => byLowerCase.get(text.toLowerCase()) ?? fail(`"${text}" is not one of ${listed}`);
    }
  }
}

interface Column {
  name: string;
  attribute: string;
  required: boolean;
  convert: Converter;
}

/** Sets a key as an own property even when it is "__proto__" (an assignment would set the prototype). */
function setOwn(item: Item, key: string, value: Value): void {
  Object.defineProperty(item, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * What spreading `source` into `target` does for string keys: own enumerable properties in order
 * (nothing for null, undefined, numbers; the characters of a string), defined rather than set.
 * Symbol keys are left out: the item only goes to marshall, which leaves them out as well.
 */
function assignOwn(target: Item, source: unknown): void {
  for (const key in source as object) {
    if (!Object.hasOwn(source as object, key)) continue;
    const value = (source as Item)[key]!;
    if (key === '__proto__') setOwn(target, key, value);
    else target[key] = value;
  }
}

/** One attribute value as marshall makes it; anything but a string, boolean or safe finite number goes to marshall's own converter (its errors included). */
function wireValue(value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: value };
  // JSON.stringify writes a finite number exactly as String does, but V8 allocates String's result of a
  // fractional number straight in the old generation (for its number-string cache): one such string per
  // row filled the old generation and raised the loader's peak memory on large files.
  if (typeof value === 'number' && value <= Number.MAX_SAFE_INTEGER && value >= Number.MIN_SAFE_INTEGER) return { N: JSON.stringify(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  return convertToAttr(value) as AttributeValue;
}

/**
 * marshall(item) for the flat items rows become, without its generic type tests. Same walk (for...in,
 * functions left out) and the same plain assignment, so even an attribute named __proto__ ends as
 * marshall left it.
 */
export function wireItem(item: Item): Record<string, AttributeValue> {
  const map: Record<string, AttributeValue> = {};
  for (const key in item) {
    const value: unknown = item[key];
    if (typeof value !== 'function') map[key] = wireValue(value);
  }
  return map;
}

export function compileSchema(schema: CsvSchema): CompiledSchema {
  const state = { reason: '' };
  const columns: Column[] = Object.entries(schema.columns).map(([name, rule]) => ({ name, attribute: rule.attribute ?? name, required: rule.required === true, convert: converter(name, rule, state) }));
  const { filter, derive, key } = schema;
  return {
    row(values) {
      const item: Item = {};
      let reasons: string[] | undefined;
      for (const column of columns) {
        const value = Object.hasOwn(values, column.name) ? values[column.name] : undefined;
        const text = typeof value === 'string' ? value.trim() : '';
        if (text === '') {
          if (column.required) (reasons ??= []).push(`${column.name}: required`);
          continue;
        }
        const converted = column.convert(text);
        if (converted === INVALID) (reasons ??= []).push(state.reason);
        else if (column.attribute === '__proto__') setOwn(item, column.attribute, converted);
        else item[column.attribute] = converted;
      }
      if (reasons) return { kind: 'rejected', reasons };
      if (filter && !filter(item)) return { kind: 'filtered' };
      try {
        // What { ...item, ...derive?.(item), ...key(item) } gave, without adding properties to a copy
        // (V8 builds new hidden classes for that on every row): derive and key get the copy, as it is
        // now, and what they return goes into the item itself.
        const copy = { ...item };
        if (derive) assignOwn(item, derive(copy));
        assignOwn(item, key(copy));
        return { kind: 'item', item };
      } catch (error) {
        return { kind: 'rejected', reasons: [`key: ${(error as Error).message}`] };
      }
    },
    wire: wireItem,
  };
}

const compiled = new WeakMap<CsvSchema, CompiledSchema>();

/** The schema compiled once (a schema is declared once per module; tests build many). */
export function compiledSchema(schema: CsvSchema): CompiledSchema {
  let result = compiled.get(schema);
  if (!result) compiled.set(schema, (result = compileSchema(schema)));
  return result;
}
