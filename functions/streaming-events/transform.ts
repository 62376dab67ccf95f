import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import type { FirehoseTransformationEventRecord, FirehoseTransformationResultRecord } from 'aws-lambda';
import { backoffDelay, sleep as realSleep } from '../lib/backoff';
import { batchEntries } from '../lib/sqs-batches';
import { deduplicationId, MAX_EVENT_BYTES, parseEventBytes } from './event';

export interface TransformOptions {
  queueUrl: string;
  /** SendMessageBatch attempts for entries SQS refuses for a reason of its own (not the sender's). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface FailedRecord {
  recordId: string;
  reason: string;
}

export interface TransformOutcome {
  /** One per input record, in input order: what Firehose expects back. */
  records: FirehoseTransformationResultRecord[];
  /** The ProcessingFailed records and why (Firehose keeps only the raw record: the reason is logged). */
  failed: FailedRecord[];
  queued: number;
  calls: number;
  retries: number;
}

/** SQS still refused some valid records after every attempt: the invocation must fail so Firehose retries the batch. */
export class QueueRefusedError extends Error {
  override name = 'QueueRefusedError';

  constructor(readonly refused: FailedRecord[]) {
    super(`the queue refused ${refused.length} record(s) after every attempt: ${refused.slice(0, 3).map((r) => r.reason).join('; ')}`);
  }
}

type Entry = SendMessageBatchRequestEntry & { Id: string; MessageBody: string };

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * The Firehose transformation: each record becomes one line of JSON (Ok) or, when it is not valid
 * UTF-8 or not a valid event, ProcessingFailed with the reason (Firehose writes the raw record under
 * the error prefix). Valid records also go to the FIFO queue, grouped by entity and deduplicated by
 * the record's bytes, so a Firehose retry of the same batch queues nothing twice. A record SQS refuses
 * as the sender's fault (it would refuse it forever) is ProcessingFailed too; when SQS still refuses
 * others after every attempt, QueueRefusedError is thrown and the whole batch is retried.
 */
export async function transformRecords(sqs: SQSClient, input: readonly FirehoseTransformationEventRecord[], options: TransformOptions): Promise<TransformOutcome> {
  const records: FirehoseTransformationResultRecord[] = [];
  const reasons = new Map<string, string>();
  const entries: Entry[] = [];
  input.forEach((record, index) => {
    const bytes = Buffer.from(record.data, 'base64');
    const parsed = parseEventBytes(bytes);
    if (!parsed.ok) {
      reasons.set(record.recordId, parsed.reason);
      records.push({ recordId: record.recordId, result: 'ProcessingFailed', data: record.data });
      return;
    }
    records.push({ recordId: record.recordId, result: 'Ok', data: base64(`${parsed.body}\n`) });
    entries.push({ Id: String(index), MessageBody: parsed.body, MessageGroupId: parsed.event.entityId, MessageDeduplicationId: deduplicationId(bytes) });
  });

  const sent = await sendEntries(sqs, entries, options);
  const recordIdOf = (id: string) => input[Number(id)]!.recordId;
  if (sent.unsent.size > 0) throw new QueueRefusedError([...sent.unsent].map(([id, reason]) => ({ recordId: recordIdOf(id), reason })));
  for (const [id, reason] of sent.rejected) {
    const record = records[Number(id)]!;
    record.result = 'ProcessingFailed';
    record.data = input[Number(id)]!.data;
    reasons.set(record.recordId, reason);
  }
  const failed = records.filter((r) => r.result === 'ProcessingFailed').map((r) => ({ recordId: r.recordId, reason: reasons.get(r.recordId)! }));
  return { records, failed, queued: entries.length - sent.rejected.size, calls: sent.calls, retries: sent.retries };
}

/**
 * SendMessageBatch, 10 entries and 1 MiB per request (functions/lib/sqs-batches), one request at a
 * time so each entity's records reach the queue in the order they came. Retries only the entries SQS
 * failed on its side (still failing after maxAttempts: unsent); those failed as the sender's fault
 * are returned as rejected, with SQS's reason.
 */
async function sendEntries(sqs: SQSClient, entries: Entry[], options: TransformOptions) {
  const { maxAttempts = 5, baseDelayMs = 100, maxDelayMs = 2_000, sleep = realSleep } = options;
  const rejected = new Map<string, string>();
  let pending = entries;
  let calls = 0;
  let retries = 0;
  let unsent = new Map<string, string>();
  const { batches, tooLarge } = batchEntries(pending, { maxMessageBytes: MAX_EVENT_BYTES });
  for (const { entry, bytes, limit } of tooLarge) rejected.set(entry.Id, `message is ${bytes} bytes, over the queue limit of ${limit}`);
  for (let attempt = 0; ; attempt++) {
    const retry: Entry[] = [];
    unsent = new Map();
    for (const batch of attempt === 0 ? batches : batchEntries(pending).batches) {
      calls += 1;
      const { Successful = [], Failed = [] } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: batch }));
      const succeeded = new Set(Successful.map((s) => s.Id));
      const failures = new Map(Failed.map((f) => [f.Id, f]));
      // An entry in neither list counts as refused by SQS, not as sent.
      for (const entry of batch.filter((e) => !succeeded.has(e.Id))) {
        const failure = failures.get(entry.Id);
        const reason = `SQS refused the record: ${failure?.Code ?? 'no result for the entry'}${failure?.Message ? ` (${failure.Message})` : ''}`;
        if (failure?.SenderFault) rejected.set(entry.Id, reason);
        else {
          retry.push(entry);
          unsent.set(entry.Id, reason);
        }
      }
    }
    pending = retry;
    if (pending.length === 0 || attempt + 1 >= maxAttempts) return { calls, retries, rejected, unsent };
    retries += pending.length;
    await sleep(backoffDelay(attempt, { baseDelayMs, maxDelayMs }));
  }
}
