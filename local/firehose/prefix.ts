import { randomBytes, randomUUID } from 'node:crypto';

/**
 * S3 key prefixes as Firehose evaluates them: `!{timestamp:<Java DateTimeFormatter>}` (UTC, the
 * arrival time of the oldest record in the object), `!{firehose:error-output-type}` and
 * `!{firehose:random-string}`. A prefix without a timestamp expression gets `yyyy/MM/dd/HH/`
 * appended; no error prefix means `<error-output-type>/yyyy/MM/dd/HH/`.
 */

export class InvalidPrefixError extends Error {
  override name = 'InvalidPrefixError';
}

export type ErrorOutputType = 'processing-failed' | 'format-conversion-failed';

const DEFAULT_TIME_PREFIX = '!{timestamp:yyyy/MM/dd/HH/}';
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The DateTimeFormatter letters a prefix can use (the rest of the pattern language is refused, not guessed). */
export function formatTimestamp(pattern: string, at: number): string {
  const d = new Date(at);
  const fields: Record<string, (count: number) => string> = {
    y: (c) => (c === 2 ? pad(d.getUTCFullYear() % 100, 2) : pad(d.getUTCFullYear(), c)),
    M: (c) => pad(d.getUTCMonth() + 1, c),
    d: (c) => pad(d.getUTCDate(), c),
    H: (c) => pad(d.getUTCHours(), c),
    m: (c) => pad(d.getUTCMinutes(), c),
    s: (c) => pad(d.getUTCSeconds(), c),
  };
  let out = '';
  for (let i = 0; i < pattern.length; ) {
    const char = pattern[i]!;
    if (char === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new InvalidPrefixError(`unterminated quote in timestamp pattern ${pattern}`);
      out += end === i + 1 ? "'" : pattern.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(char)) {
      let count = 1;
      while (pattern[i + count] === char) count += 1;
      const field = fields[char];
      if (!field) throw new InvalidPrefixError(`timestamp pattern letter '${char}' is not supported locally (${pattern})`);
      out += field(count);
      i += count;
      continue;
    }
    out += char;
    i += 1;
  }
  return out;
}

export interface PrefixContext {
  /** Arrival time of the oldest record in the object (ms). */
  arrival: number;
  errorOutputType?: ErrorOutputType;
  randomString?: () => string;
}

/** 11 characters of [a-z0-9]: what `!{firehose:random-string}` evaluates to. */
export const randomString = () => randomBytes(16).toString('base64url').replace(/[-_]/g, '').toLowerCase().slice(0, 11).padEnd(11, '0');

export function evaluatePrefix(template: string, context: PrefixContext): string {
  return template.replace(/!\{([^:}]+):([^}]*)\}/g, (_match, namespace: string, value: string) => {
    if (namespace === 'timestamp') return formatTimestamp(value, context.arrival);
    if (namespace === 'firehose' && value === 'error-output-type') {
      if (!context.errorOutputType) throw new InvalidPrefixError('!{firehose:error-output-type} is only valid in the error output prefix');
      return context.errorOutputType;
    }
    if (namespace === 'firehose' && value === 'random-string') return (context.randomString ?? randomString)();
    throw new InvalidPrefixError(`!{${namespace}:${value}} is not supported locally (dynamic partitioning is not emulated)`);
  });
}

/** The data prefix Firehose uses for a configured `Prefix`. */
export function dataPrefixTemplate(prefix: string | undefined): string {
  const base = prefix ?? '';
  return base.includes('!{timestamp:') ? base : `${base}${DEFAULT_TIME_PREFIX}`;
}

/** The error prefix Firehose uses for a configured `ErrorOutputPrefix`. */
export function errorPrefixTemplate(errorOutputPrefix: string | undefined): string {
  if (!errorOutputPrefix) return `!{firehose:error-output-type}/${DEFAULT_TIME_PREFIX}`;
  return errorOutputPrefix.includes('!{timestamp:') ? errorOutputPrefix : `${errorOutputPrefix}${DEFAULT_TIME_PREFIX}`;
}

/** `<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>`: the object key Firehose writes. */
export function objectKey(evaluatedPrefix: string, streamName: string, version: string, at: number, uuid: string = randomUUID()): string {
  return `${evaluatedPrefix}${streamName}-${version}-${formatTimestamp('yyyy-MM-dd-HH-mm-ss', at)}-${uuid}`;
}
