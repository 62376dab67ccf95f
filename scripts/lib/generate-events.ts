import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { backoffDelay, sleep as realSleep } from '../../functions/lib/backoff';
import { batchEntries } from '../../functions/lib/sqs-batches';
import contract from '../../functions/streaming-events/contract.json';
import { deduplicationId, EVENT_TYPES, MAX_EVENT_BYTES, MAX_EVENT_DEPTH } from '../../functions/streaming-events/event';
import { seededRandom } from './seeded-random';

// ---- generation ---------------------------------------------------------------------------------

export type RecordKind = 'valid' | 'duplicate' | 'invalid';

export interface GeneratedRecord {
  data: Buffer;
  kind: RecordKind;
  /** Set for valid records and duplicates. */
  eventId?: string;
  entityId?: string;
  eventType?: string;
  /** Which way an invalid record is wrong. */
  invalid?: InvalidKind;
}

export interface GenerateOptions {
  count: number;
  /** Share of records that are not valid events (exactly floor(count * share) of them, spread evenly). */
  invalidShare: number;
  /** Share of records that repeat an earlier valid record byte for byte (exactly floor(count * share)). */
  duplicateShare: number;
  /** Share of valid events that reuse the previous event's entity and millisecond. */
  sameMillisecondShare: number;
  seed: number;
  /** Distinct entities (orders); default one per 20 events, at least 10. */
  entities?: number;
  /** occurredAt of the first event; default now. */
  start?: Date;
  /** For the queue: leave out records that are not UTF-8 (a message body is text) or too large (SQS refuses them at the door). */
  textOnly?: boolean;
}

export const INVALID_KINDS = ['not-utf8', 'not-json', 'missing-occurred-at', 'bad-event-id', 'impossible-date', 'unknown-event-type', 'top-level-proto', 'too-deep', 'too-large', 'payload-array'] as const;
export type InvalidKind = (typeof INVALID_KINDS)[number];

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** A version 4 UUID from the seeded generator, lowercase as the contract asks. */
export function seededUuid(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Text beyond ASCII on purpose: accents, CJK, right-to-left, emoji (4 bytes, a surrogate pair in JS).
const CUSTOMERS = ['Zoë Ångström', '山田 太郎', 'Søren Kierkegård', 'محمد الأحمد', 'Οδυσσέας Ελύτης', 'Dvořák Antonín', 'José Núñez', 'Ольга Петрова', 'Nguyễn Văn An', 'Plain Ascii'];
const CITIES = ['Zürich', '東京', 'São Paulo', 'Kraków', 'Reykjavík', 'القاهرة', 'Москва', 'Łódź', 'Montréal', 'Oslo'];
const NOTES = ['Leave at the door 🚪', 'Fragile: glass 🍷', 'Ring twice — thanks!', '请放在门口', 'Bitte klingeln', 'لا تتصل', '', 'Gift 🎁 wrap, please', 'Naïve café order', 'ok'];
const SKUS = ['SKU-ÄPFEL-1', 'SKU-TEA-緑茶', 'SKU-BOOK-42', 'SKU-MUG-☕', 'SKU-PEN-7'];

interface Clock {
  entity: string;
  at: number;
}

function payloadFor(random: () => number, entityId: string): Record<string, unknown> {
  const items = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({ sku: pick(random, SKUS), quantity: 1 + Math.floor(random() * 5), price: Math.round(random() * 10_000) / 100 }));
  const payload: Record<string, unknown> = { orderId: entityId, customer: { name: pick(random, CUSTOMERS), city: pick(random, CITIES) }, items, currency: pick(random, ['EUR', 'USD', 'JPY', 'NOK']), note: pick(random, NOTES) };
  // Now and then a payload key that is a trap for code copying objects by assignment.
  if (random() < 0.05) payload.meta = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "kept"}') as unknown;
  return payload;
}

function invalidRecord(kind: InvalidKind, random: () => number, base: Record<string, unknown>): Buffer {
  const text = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
  switch (kind) {
    case 'not-utf8': {
      const good = text(base);
      // A Latin-1 "é" (0xE9) where UTF-8 needs two bytes: the record must be refused, never "fixed".
      return Buffer.concat([good.subarray(0, 20), Buffer.from([0xe9]), good.subarray(20)]);
    }
    case 'not-json':
      return text(base).subarray(0, 30);
    case 'missing-occurred-at': {
      const { occurredAt: _, ...rest } = base;
      return text(rest);
    }
    case 'bad-event-id':
      return text({ ...base, eventId: 'not-a-uuid' });
    case 'impossible-date':
      return text({ ...base, occurredAt: '2026-02-30T10:00:00.000Z' });
    case 'unknown-event-type':
      return text({ ...base, eventType: 'order.teleported' });
    case 'top-level-proto':
      return Buffer.from(`{"__proto__":{"admin":true},${JSON.stringify(base).slice(1)}`, 'utf8');
    case 'too-deep': {
      let nested: unknown = 'bottom';
      for (let i = 0; i < MAX_EVENT_DEPTH + 5; i++) nested = { level: nested };
      return text({ ...base, payload: nested });
    }
    case 'too-large':
      return text({ ...base, payload: { blob: 'é'.repeat(MAX_EVENT_BYTES / 2 + Math.floor(random() * 100)) } });
    case 'payload-array':
      return text({ ...base, payload: [1, 2, 3] });
  }
}

/**
 * What each position holds: floor(count * invalidShare) invalid records spread evenly, and
 * floor(count * duplicateShare) duplicates at random other positions after the first.
 */
function layout(options: GenerateOptions, random: () => number): RecordKind[] {
  const kinds: RecordKind[] = Array.from({ length: options.count }, (_, i) => (Math.floor((i + 1) * options.invalidShare) > Math.floor(i * options.invalidShare) ? 'invalid' : 'valid'));
  const free = kinds.flatMap((kind, i) => (kind === 'valid' && i > 0 ? [i] : []));
  for (let n = Math.min(Math.floor(options.count * options.duplicateShare), free.length); n > 0; n--) {
    const at = Math.floor(random() * free.length);
    kinds[free[at]!] = 'duplicate';
    free.splice(at, 1);
  }
  return kinds;
}

/**
 * Realistic order events with the traps the pipeline must survive: non-ASCII text everywhere, events
 * of one entity in the same millisecond, exact duplicates, and a given share of invalid records of
 * every kind in turn. Deterministic for a seed (and start).
 */
export function generateEvents(options: GenerateOptions): GeneratedRecord[] {
  const random = seededRandom(options.seed);
  const entities = options.entities ?? Math.max(10, Math.ceil(options.count / 20));
  const kinds = INVALID_KINDS.filter((k) => !(options.textOnly && (k === 'not-utf8' || k === 'too-large')));
  const records: GeneratedRecord[] = [];
  const valid: GeneratedRecord[] = [];
  let clock: Clock = { entity: `order-${1 + Math.floor(random() * entities)}`, at: (options.start ?? new Date()).getTime() };
  let invalidCount = 0;
  const kindAt = layout(options, random);
  for (let i = 0; i < options.count; i++) {
    const sameMillisecond = random() < options.sameMillisecondShare;
    clock = sameMillisecond ? clock : { entity: `order-${1 + Math.floor(random() * entities)}`, at: clock.at + Math.floor(random() * 50) };
    const event = { eventId: seededUuid(random), entityId: clock.entity, eventType: pick(random, EVENT_TYPES), occurredAt: new Date(clock.at).toISOString(), payload: payloadFor(random, clock.entity) };
    if (kindAt[i] === 'invalid') {
      const kind = kinds[invalidCount++ % kinds.length]!;
      records.push({ data: invalidRecord(kind, random, event), kind: 'invalid', invalid: kind });
    } else if (kindAt[i] === 'duplicate' && valid.length > 0) {
      const original = valid[Math.floor(random() * valid.length)]!;
      records.push({ ...original, kind: 'duplicate' });
    } else {
      const record: GeneratedRecord = { data: Buffer.from(JSON.stringify(event), 'utf8'), kind: 'valid', eventId: event.eventId, entityId: event.entityId, eventType: event.eventType };
      records.push(record);
      valid.push(record);
    }
  }
  return records;
}

export interface GeneratedCounts {
  total: number;
  valid: number;
  duplicates: number;
  invalid: number;
  /** Valid events the consumer reacts to (its detail-type), each once. */
  forConsumer: number;
}

export function countRecords(records: readonly GeneratedRecord[]): GeneratedCounts {
  const count = (kind: RecordKind) => records.filter((r) => r.kind === kind).length;
  return { total: records.length, valid: count('valid'), duplicates: count('duplicate'), invalid: count('invalid'), forConsumer: records.filter((r) => r.kind === 'valid' && r.eventType === contract.consumer.detailType).length };
}

// ---- sending ------------------------------------------------------------------------------------

/** Firehose PutRecordBatch: at most 500 records and 4 MiB per call, 1,000 KiB per record. */
export const FIREHOSE_MAX_RECORDS = 500;
export const FIREHOSE_MAX_BATCH_BYTES = 4 * 1_048_576;
export const FIREHOSE_MAX_RECORD_BYTES = 1_024_000;
/** The FIFO queue Terraform creates takes 262,144 bytes per message (the AWS provider's cap). */
export const QUEUE_MAX_MESSAGE_BYTES = 262_144;

export interface SendProgress {
  sent: number;
  refused: number;
  total: number;
  calls: number;
  retries: number;
  elapsedMs: number;
}

export interface SendSummary extends SendProgress {
  /** Why records were refused (first few distinct reasons). */
  reasons: string[];
}

export interface SendOptions {
  /** Records per second; 0 or absent: as fast as the service answers. */
  rate?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onProgress?: (progress: SendProgress) => void;
}

/** A call's answer for each record of a chunk: undefined when accepted, else why not and whether to retry. */
type Outcome = undefined | { reason: string; retry: boolean };

interface Sender<T> {
  /** Cuts pending items into calls the service accepts; items no call can hold go to refused. */
  chunk(items: T[], maxRecords: number): { chunks: T[][]; refused: { item: T; reason: string }[] };
  put(chunk: T[]): Promise<Outcome[]>;
}

/**
 * Sends every item, paced to `rate`, retrying with backoff only what the service failed on its side;
 * the rest is refused with a reason. A call that throws fails its whole chunk for that attempt.
 */
async function sendAll<T>(items: T[], sender: Sender<T>, options: SendOptions): Promise<SendSummary> {
  const { rate = 0, maxAttempts = 5, baseDelayMs = 100, sleep = realSleep, now = Date.now } = options;
  const started = now();
  const progress: SendProgress = { sent: 0, refused: 0, total: items.length, calls: 0, retries: 0, elapsedMs: 0 };
  const reasons = new Set<string>();
  const refuse = (reason: string) => {
    progress.refused += 1;
    if (reasons.size < 5) reasons.add(reason);
  };
  // At most one second of records per call, so a low rate is not sent in bursts.
  const maxRecords = rate > 0 ? Math.max(1, Math.floor(rate)) : Number.POSITIVE_INFINITY;
  const { chunks, refused } = sender.chunk(items, maxRecords);
  for (const { reason } of refused) refuse(reason);
  for (const first of chunks) {
    let pending = first;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 0 && rate > 0) {
        const due = started + ((progress.sent + progress.refused) * 1000) / rate;
        if (due > now()) await sleep(due - now());
      }
      if (attempt > 0) {
        progress.retries += pending.length;
        await sleep(backoffDelay(attempt - 1, { baseDelayMs, maxDelayMs: 5_000 }));
      }
      progress.calls += 1;
      let outcomes: Outcome[];
      try {
        outcomes = await sender.put(pending);
      } catch (error) {
        outcomes = pending.map(() => ({ reason: `${(error as Error).name}: ${(error as Error).message}`, retry: true }));
      }
      const retry: T[] = [];
      pending.forEach((item, i) => {
        const outcome = outcomes[i];
        if (outcome === undefined) progress.sent += 1;
        else if (outcome.retry && attempt + 1 < maxAttempts) retry.push(item);
        else refuse(outcome.reason);
      });
      pending = retry;
    }
    options.onProgress?.({ ...progress, elapsedMs: now() - started });
  }
  return { ...progress, elapsedMs: now() - started, reasons: [...reasons] };
}

export function firehoseChunks(records: GeneratedRecord[], maxRecords = FIREHOSE_MAX_RECORDS) {
  const chunks: GeneratedRecord[][] = [];
  const refused: { item: GeneratedRecord; reason: string }[] = [];
  let current: GeneratedRecord[] = [];
  let bytes = 0;
  const limit = Math.min(maxRecords, FIREHOSE_MAX_RECORDS);
  for (const record of records) {
    if (record.data.length > FIREHOSE_MAX_RECORD_BYTES) {
      refused.push({ item: record, reason: `record is ${record.data.length} bytes, over Firehose's ${FIREHOSE_MAX_RECORD_BYTES}` });
      continue;
    }
    if (current.length === limit || bytes + record.data.length > FIREHOSE_MAX_BATCH_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += record.data.length;
  }
  if (current.length > 0) chunks.push(current);
  return { chunks, refused };
}

/** Puts the records on the delivery stream with PutRecordBatch, retrying the records of FailedPutCount. */
export function sendViaFirehose(firehose: FirehoseClient, deliveryStreamName: string, records: GeneratedRecord[], options: SendOptions = {}): Promise<SendSummary> {
  return sendAll(records, {
    chunk: firehoseChunks,
    async put(chunk) {
      const response = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: deliveryStreamName, Records: chunk.map((r) => ({ Data: r.data })) }));
      return chunk.map((_, i) => {
        const result = response.RequestResponses?.[i];
        if (result?.RecordId && !result.ErrorCode) return undefined;
        // Firehose fails records for its own reasons (throttling, internal errors): always worth a retry.
        return { reason: `Firehose refused the record: ${result?.ErrorCode ?? 'no result for the record'}${result?.ErrorMessage ? ` (${result.ErrorMessage})` : ''}`, retry: true };
      });
    },
  }, options);
}

const GROUP_ID = /^[A-Za-z0-9!-/:-@[-`{-~]{1,128}$/;

/** A FIFO entry as the transformer would send it: the group is the entity, the deduplication id the record's hash. */
export function queueEntry(record: GeneratedRecord, id: string) {
  const body = record.data.toString('utf8');
  let group = 'invalid-records';
  try {
    const entityId = (JSON.parse(body) as { entityId?: unknown }).entityId;
    if (typeof entityId === 'string' && GROUP_ID.test(entityId)) group = entityId;
  } catch {
    // Not JSON: the storer refuses it; it still needs a group to be sent at all.
  }
  return { Id: id, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: deduplicationId(record.data) };
}

/** Sends the records straight to the FIFO queue (bypassing Firehose and the lake), 10 and 1 MiB per call. */
export function sendViaSqs(sqs: SQSClient, queueUrl: string, records: GeneratedRecord[], options: SendOptions & { maxMessageBytes?: number } = {}): Promise<SendSummary> {
  type Item = ReturnType<typeof queueEntry>;
  const items = records.map((record, i) => queueEntry(record, String(i)));
  return sendAll<Item>(items, {
    chunk(pending, maxRecords) {
      const { batches, tooLarge } = batchEntries(pending, { maxEntries: Math.min(10, maxRecords), maxMessageBytes: options.maxMessageBytes ?? QUEUE_MAX_MESSAGE_BYTES });
      return { chunks: batches, refused: tooLarge.map(({ entry, bytes, limit }) => ({ item: entry, reason: `message is ${bytes} bytes, over the queue's ${limit}` })) };
    },
    async put(chunk) {
      const { Successful = [], Failed = [] } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk }));
      const ok = new Set(Successful.map((s) => s.Id));
      const failed = new Map(Failed.map((f) => [f.Id, f]));
      return chunk.map((entry) => {
        if (ok.has(entry.Id)) return undefined;
        const failure = failed.get(entry.Id);
        return { reason: `SQS refused the message: ${failure?.Code ?? 'no result for the entry'}${failure?.Message ? ` (${failure.Message})` : ''}`, retry: failure?.SenderFault !== true };
      });
    },
  }, options);
}
