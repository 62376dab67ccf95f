import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { backoffDelay, sleep as realSleep } from '../lib/backoff';
import contract from './contract.json';
import { EVENT_TYPES } from './event';

/** PutEvents takes at most 10 entries... */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/** ...adding up to at most 1 MiB (raised from 256 KiB in January 2026), each entry counted as entrySize does. */
export const PUT_EVENTS_MAX_BYTES = 1_048_576;

export interface EmitOptions {
  eventBusName: string;
  /** PutEvents attempts for the entries it failed (FailedEntryCount) or for a call that threw. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RecordFailure {
  sequenceNumber: string;
  eventId?: string;
  reason: string;
}

export interface EmitResult {
  emitted: number;
  /** Records that are not inserts: a stored event is never changed, so only an insert is news. */
  skipped: number;
  calls: number;
  /** Sum of FailedEntryCount over every call, retries included. */
  failedEntries: number;
  /** Records that could not be read as a stored event, or that PutEvents still failed after every attempt. */
  failures: RecordFailure[];
  /** What to report to Lambda: every record from the lowest failed one on (the stream resumes there). */
  batchItemFailures: string[];
}

type Entry = PutEventsRequestEntry & { Detail: string; DetailType: string; Source: string };

const utf8 = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));

/** The size EventBridge holds against its limits: Source, DetailType, Detail and Resources in UTF-8, plus 14 bytes for a Time. */
export const entrySize = (entry: PutEventsRequestEntry) =>
  utf8(entry.Source) + utf8(entry.DetailType) + utf8(entry.Detail) + (entry.Resources ?? []).reduce((sum, r) => sum + utf8(r), 0) + (entry.Time ? 14 : 0);

/** Requests of at most 10 entries and 1 MiB, in order. */
export function putEventsBatches<T extends PutEventsRequestEntry>(entries: readonly T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (current.length === PUT_EVENTS_MAX_ENTRIES || (current.length > 0 && bytes + size > PUT_EVENTS_MAX_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

type Decision = { kind: 'emit'; entry: Omit<Entry, 'EventBusName'>; eventId: string } | { kind: 'skip' } | { kind: 'malformed'; reason: string };

/** What one stream record becomes: an integration event for an insert of a stored event, nothing for anything else. */
export function toEntry(record: DynamoDBRecord): Decision {
  if (record.eventName !== 'INSERT') return { kind: 'skip' };
  const image = record.dynamodb?.NewImage;
  if (!image) return { kind: 'malformed', reason: 'no NewImage (the stream view must include new images)' };
  let item: Record<string, unknown>;
  try {
    item = unmarshall(image as Record<string, SdkAttributeValue>);
  } catch (error) {
    return { kind: 'malformed', reason: `NewImage cannot be read: ${(error as Error).message}` };
  }
  const detail = item[contract.table.eventAttribute];
  const { eventType, eventId } = item;
  if (typeof detail !== 'string' || typeof eventId !== 'string' || typeof eventType !== 'string' || !EVENT_TYPES.includes(eventType)) {
    return { kind: 'malformed', reason: `NewImage is not a stored event (needs the strings ${contract.table.eventAttribute}, eventId and an eventType of ${EVENT_TYPES.join(', ')})` };
  }
  const entry = { Source: contract.eventBridge.source, DetailType: eventType, Detail: detail };
  if (entrySize(entry) > PUT_EVENTS_MAX_BYTES) return { kind: 'malformed', reason: `the event is ${entrySize(entry)} bytes as a PutEvents entry, over ${PUT_EVENTS_MAX_BYTES}` };
  return { kind: 'emit', entry, eventId };
}

/**
 * Emits the inserts of a stream batch on the bus: PutEvents with 10 entries and 1 MiB per call, one
 * call at a time, retrying with backoff only the entries it failed. The record failing first, and
 * every record after it, are returned as batch item failures: Lambda retries (and bisects) from there,
 * so events after it may be emitted again; consumers deduplicate by eventId.
 */
export async function emitRecords(eventBridge: EventBridgeClient, records: readonly DynamoDBRecord[], options: EmitOptions): Promise<EmitResult> {
  const { maxAttempts = 4, baseDelayMs = 100, maxDelayMs = 2_000, sleep = realSleep } = options;
  const failures = new Map<number, RecordFailure>();
  const pending: (Entry & { index: number; eventId: string })[] = [];
  let skipped = 0;
  records.forEach((record, index) => {
    const decision = toEntry(record);
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
    if (decision.kind === 'skip') skipped += 1;
    else if (decision.kind === 'malformed') failures.set(index, { sequenceNumber, reason: decision.reason });
    else pending.push({ ...decision.entry, EventBusName: options.eventBusName, index, eventId: decision.eventId });
  });

  let calls = 0;
  let failedEntries = 0;
  let emitted = 0;
  let toSend = pending;
  for (let attempt = 0; toSend.length > 0; attempt++) {
    if (attempt > 0) await sleep(backoffDelay(attempt - 1, { baseDelayMs, maxDelayMs }));
    const retry: typeof toSend = [];
    const reasons = new Map<number, string>();
    for (const batch of putEventsBatches(toSend)) {
      calls += 1;
      try {
        const response = await eventBridge.send(new PutEventsCommand({ Entries: batch.map(({ index: _i, eventId: _e, ...entry }) => entry) }));
        failedEntries += response.FailedEntryCount ?? 0;
        batch.forEach((entry, i) => {
          const result = response.Entries?.[i];
          if (result?.EventId && !result.ErrorCode) emitted += 1;
          else {
            retry.push(entry);
            reasons.set(entry.index, `PutEvents failed the entry: ${result?.ErrorCode ?? 'no result for the entry'}${result?.ErrorMessage ? ` (${result.ErrorMessage})` : ''}`);
          }
        });
      } catch (error) {
        failedEntries += batch.length;
        for (const entry of batch) {
          retry.push(entry);
          reasons.set(entry.index, `PutEvents failed: ${(error as Error).name}: ${(error as Error).message}`);
        }
      }
    }
    if (attempt + 1 >= maxAttempts) {
      for (const entry of retry) failures.set(entry.index, { sequenceNumber: records[entry.index]!.dynamodb?.SequenceNumber ?? '', eventId: entry.eventId, reason: reasons.get(entry.index)! });
      break;
    }
    toSend = retry;
  }

  const first = failures.size > 0 ? Math.min(...failures.keys()) : records.length;
  const batchItemFailures = records.slice(first).map((r) => r.dynamodb?.SequenceNumber ?? '');
  return { emitted, skipped, calls, failedEntries, failures: [...failures.entries()].sort(([a], [b]) => a - b).map(([, f]) => f), batchItemFailures };
}
