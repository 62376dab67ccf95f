/**
 * EventBridge event patterns, matched as AWS documents them ("Creating event patterns") with moto's
 * matcher (moto/events/models.py EventPattern) as the executable reference: a pattern is an object
 * whose leaves are arrays of filters; a field matches when any filter matches; an array in the event
 * matches when any element does; only leaves (not objects) are matched, and a missing field matches
 * nothing but `{ "exists": false }`.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
export type EventPattern = JsonObject;

const MISSING = Symbol('missing');
type Leaf = Json | typeof MISSING;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

export class InvalidEventPatternError extends Error {
  override name = 'InvalidEventPatternError';
}

/** Parses and checks a rule's `EventPattern` (values must be objects or non-empty arrays, as PutRule requires). */
export function parseEventPattern(text: string): JsonObject {
  let pattern: unknown;
  try {
    pattern = JSON.parse(text);
  } catch {
    throw new InvalidEventPatternError(`event pattern is not JSON: ${text}`);
  }
  if (!isObject(pattern)) throw new InvalidEventPatternError('event pattern must be a JSON object');
  const check = (node: JsonObject, path: string): void => {
    for (const [key, value] of Object.entries(node)) {
      const at = path ? `${path}.${key}` : key;
      if (key === '$or') {
        if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) throw new InvalidEventPatternError(`${at} must be an array of at least two patterns`);
        value.forEach((sub, i) => check(sub as JsonObject, `${at}[${i}]`));
      } else if (isObject(value)) check(value, at);
      else if (!Array.isArray(value)) throw new InvalidEventPatternError(`'${at}' must be an object or an array`);
      else if (value.length === 0) throw new InvalidEventPatternError(`'${at}': empty arrays are not allowed`);
    }
  };
  check(pattern, '');
  return pattern;
}

/** True when `event` matches `pattern` (an empty pattern matches every event). */
export function matchesEventPattern(pattern: JsonObject, event: unknown): boolean {
  return matchesObject(pattern, event);
}

function matchesObject(pattern: JsonObject, node: unknown): boolean {
  return Object.entries(pattern).every(([key, sub]) => {
    if (key === '$or') return (sub as JsonObject[]).some((alternative) => matchesObject(alternative, node));
    const value: unknown = isObject(node) ? node[key] : undefined;
    if (isObject(sub)) return matchesObject(sub, value);
    const leaf: Leaf = value === undefined || isObject(value) ? MISSING : (value as Json);
    return matchesLeaf(sub as Json[], leaf);
  });
}

function matchesLeaf(filters: Json[], leaf: Leaf): boolean {
  return filters.some((filter) => {
    if (isObject(filter)) return matchesNamedFilter(filter, leaf);
    if (leaf === MISSING) return false;
    return Array.isArray(leaf) ? leaf.some((item) => equalsLiteral(filter, item)) : equalsLiteral(filter, leaf);
  });
}

/** Same type and value: "300" does not match 300, null matches null but not a missing field. */
const equalsLiteral = (filter: Json, value: Json): boolean => filter === value;

function matchesNamedFilter(filter: JsonObject, leaf: Leaf): boolean {
  const entries = Object.entries(filter);
  if (entries.length !== 1) throw new InvalidEventPatternError(`a filter has exactly one operator: ${JSON.stringify(filter)}`);
  const [operator, operand] = entries[0]!;
  if (operator === 'exists') return (leaf !== MISSING) === operand;
  if (leaf === MISSING) return false;
  const test = (value: Json): boolean => matchesOperator(operator, operand, value);
  return Array.isArray(leaf) ? leaf.some(test) : test(leaf);
}

function stringOperands(operand: Json, operator: string): { values: string[]; ignoreCase: boolean } {
  if (typeof operand === 'string') return { values: [operand], ignoreCase: false };
  if (Array.isArray(operand) && operand.every((v) => typeof v === 'string')) return { values: operand as string[], ignoreCase: false };
  if (isObject(operand) && typeof operand['equals-ignore-case'] === 'string') return { values: [operand['equals-ignore-case']], ignoreCase: true };
  throw new InvalidEventPatternError(`${operator} takes a string: ${JSON.stringify(operand)}`);
}

function matchesOperator(operator: string, operand: Json, value: Json): boolean {
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      if (typeof value !== 'string') return false;
      const { values, ignoreCase } = stringOperands(operand, operator);
      const subject = ignoreCase ? value.toLowerCase() : value;
      return values.some((v) => {
        const target = ignoreCase ? v.toLowerCase() : v;
        return operator === 'prefix' ? subject.startsWith(target) : subject.endsWith(target);
      });
    }
    case 'equals-ignore-case': {
      if (typeof value !== 'string') return false;
      const values = typeof operand === 'string' ? [operand] : Array.isArray(operand) ? operand : [];
      return values.some((v) => typeof v === 'string' && v.toLowerCase() === value.toLowerCase());
    }
    case 'wildcard': {
      if (typeof value !== 'string') return false;
      const values = typeof operand === 'string' ? [operand] : Array.isArray(operand) ? operand : [];
      return values.some((v) => typeof v === 'string' && wildcardRegExp(v).test(value));
    }
    case 'numeric':
      return typeof value === 'number' && matchesNumeric(operand, value);
    case 'anything-but':
      return !matchesAnythingButOperand(operand, value);
    case 'cidr':
      return typeof value === 'string' && typeof operand === 'string' && inCidr(value, operand);
    default:
      throw new InvalidEventPatternError(`unknown filter operator ${operator}`);
  }
}

/** What `anything-but` excludes: literals, a list of literals, or one string filter (prefix, suffix, ...). */
function matchesAnythingButOperand(operand: Json, value: Json): boolean {
  if (Array.isArray(operand)) return operand.some((literal) => equalsLiteral(literal, value));
  if (isObject(operand)) {
    const [entry] = Object.entries(operand);
    if (!entry) throw new InvalidEventPatternError('anything-but with an empty object');
    return matchesOperator(entry[0], entry[1], value);
  }
  return equalsLiteral(operand, value);
}

const NUMERIC_OPERATORS: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
};

function matchesNumeric(operand: Json, value: number): boolean {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) throw new InvalidEventPatternError(`numeric takes operator/value pairs: ${JSON.stringify(operand)}`);
  for (let i = 0; i < operand.length; i += 2) {
    const compare = NUMERIC_OPERATORS[String(operand[i])];
    const bound = operand[i + 1];
    if (!compare || typeof bound !== 'number') throw new InvalidEventPatternError(`numeric takes operator/value pairs: ${JSON.stringify(operand)}`);
    if (!compare(value, bound)) return false;
  }
  return true;
}

function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i]!;
    if (char === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else source += char === '*' ? '.*' : escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, 's');
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** IPv4 CIDR only (IPv6 ranges are not used by any rule here). */
function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const address = ipv4ToNumber(ip);
  const network = ipv4ToNumber(base ?? '');
  const bits = Number(bitsText);
  if (address === undefined || network === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(network / size);
}
