import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { backoffDelay, sleep as realSleep } from '../lib/backoff';
import type { CountRequest, Note } from './note';

const image = (value: Record<string, AttributeValue> | undefined) =>
  value ? (unmarshall(value as Record<string, SdkAttributeValue>) as Partial<Note>) : undefined;

/**
 * The stream records worth counting: new notes, and updates that changed the content. The count's
 * own write-back changes only wordCount, so it is never forwarded (no loop).
 */
export function countRequestFor(record: DynamoDBRecord): CountRequest | undefined {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return undefined;
  const next = image(record.dynamodb?.NewImage);
  if (!next?.noteId || typeof next.content !== 'string' || typeof next.version !== 'number') return undefined;
  if (record.eventName === 'MODIFY' && image(record.dynamodb?.OldImage)?.content === next.content) return undefined;
  return { noteId: next.noteId, version: next.version, content: next.content };
}

export interface ForwardOptions {
  queueUrl: string;
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ForwardResult {
  forwarded: number;
  skipped: number;
  calls: number;
  /** Sequence numbers of records that could not be sent after every retry. */
  failed: string[];
}

/**
 * Sends the count requests of a batch of stream records with SendMessageBatch, 10 per call, retrying
 * only the entries SQS refused. Deduplication ids make a stream retry harmless for FIFO queues; on a
 * standard queue the word counter's conditional write makes duplicates harmless.
 */
export async function forwardRecords(sqs: SQSClient, records: DynamoDBRecord[], options: ForwardOptions): Promise<ForwardResult> {
  const { maxAttempts = 4, baseDelayMs = 50, sleep = realSleep } = options;
  const pending = new Map<string, { entry: SendMessageBatchRequestEntry; sequence: string }>();
  let skipped = 0;
  records.forEach((record, index) => {
    const request = countRequestFor(record);
    if (!request) {
      skipped += 1;
      return;
    }
    pending.set(String(index), { entry: { Id: String(index), MessageBody: JSON.stringify(request) }, sequence: record.dynamodb?.SequenceNumber ?? '' });
  });
  const forwarded = pending.size;
  let calls = 0;
  for (let attempt = 0; pending.size > 0 && attempt < maxAttempts; attempt++) {
    if (attempt > 0) await sleep(backoffDelay(attempt, { baseDelayMs, maxDelayMs: 2_000 }));
    const entries = [...pending.values()].map((p) => p.entry);
    for (let i = 0; i < entries.length; i += 10) {
      calls += 1;
      const { Successful = [] } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: entries.slice(i, i + 10) }));
      for (const sent of Successful) pending.delete(sent.Id!);
    }
  }
  return { forwarded: forwarded - pending.size, skipped, calls, failed: [...pending.values()].map((p) => p.sequence) };
}
