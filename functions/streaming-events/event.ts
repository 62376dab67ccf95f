import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { firstInvalidUtf8 } from '../lib/utf8';
import { describeIssues } from '../lib/validation';
import { nestsDeeperThan } from '../lib/json-depth';
import contract from './contract.json';

const { properties } = contract.eventSchema;

/** Bytes of the serialized event (the lake line without its newline, the FIFO message body). */
export const MAX_EVENT_BYTES: number = contract.limits.maxEventBytes;
/** Levels of objects and arrays, the event itself being level 1. */
export const MAX_EVENT_DEPTH: number = contract.limits.maxDepth;
export const EVENT_TYPES = properties.eventType.enum as [string, ...string[]];

const eventSchema = z.strictObject({
  eventId: z.string().check(z.regex(new RegExp(properties.eventId.pattern), 'must be a lowercase UUID')),
  entityId: z.string().check(z.regex(new RegExp(properties.entityId.pattern), 'must be 1 to 128 letters, digits, ".", "_", ":" or "-"')),
  eventType: z.enum(EVENT_TYPES),
  occurredAt: z.string().check(z.regex(new RegExp(properties.occurredAt.pattern), 'must be UTC with milliseconds, e.g. 2026-11-23T13:45:00.123Z')),
  payload: z.record(z.string(), z.unknown()),
});

export interface StreamingEvent {
  eventId: string;
  entityId: string;
  eventType: string;
  occurredAt: string;
  payload: Record<string, unknown>;
}

export type ParsedEvent = { ok: true; event: StreamingEvent; body: string } | { ok: false; reason: string };

const fail = (reason: string): ParsedEvent => ({ ok: false, reason });

// SQS refuses U+FFFE and U+FFFF in a body, and JSON.stringify leaves them raw (it escapes control
// characters and lone surrogates already). Outside strings JSON is ASCII, so escaping every one keeps
// the document equal.
const escapeNonCharacters = (json: string) => json.replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

/**
 * Validates one event given as text and returns it with its canonical serialization: one line of
 * JSON (no newline inside, whatever the input's layout), with the keys as given, that SQS, DynamoDB
 * and EventBridge all accept. The event is the document JSON.parse read, not zod's copy: a
 * "__proto__" key inside payload stays an own property.
 */
export function parseEventText(text: string): ParsedEvent {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(error instanceof RangeError ? 'record is nested too deeply to parse' : `record is not valid JSON (${(error as Error).message})`);
  }
  if (nestsDeeperThan(json, MAX_EVENT_DEPTH)) return fail(`record nests more than ${MAX_EVENT_DEPTH} levels of objects and arrays (the event itself is level 1)`);
  const result = z.safeParse(eventSchema, json);
  if (!result.success) return fail(`record is not an event: ${describeIssues(result.error, 'record').join('; ')}`);
  const event = json as StreamingEvent;
  if (!isRealInstant(event.occurredAt)) return fail(`occurredAt: ${event.occurredAt} is not a real date and time`);
  const body = escapeNonCharacters(JSON.stringify(event));
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_EVENT_BYTES) return fail(`event is ${bytes} bytes serialized, over the limit of ${MAX_EVENT_BYTES}`);
  return { ok: true, event, body };
}

function isRealInstant(text: string): boolean {
  const time = Date.parse(text);
  return Number.isFinite(time) && new Date(time).toISOString() === text;
}

/** Strict UTF-8: invalid bytes are refused with their offset, never replaced by U+FFFD. */
export function parseEventBytes(bytes: Uint8Array): ParsedEvent {
  if (!isUtf8(bytes)) return fail(`record is not valid UTF-8 (first invalid byte at offset ${firstInvalidUtf8(bytes)})`);
  return parseEventText(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}

/** The table's sort key: an event id is unique, so two events of one entity in one millisecond never share it. */
export const sortKey = (event: Pick<StreamingEvent, 'occurredAt' | 'eventId'>) => `${event.occurredAt}#${event.eventId}`;

/** FIFO deduplication id: the same record put twice (a Firehose retry, a resend) is one message. */
export const deduplicationId = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
