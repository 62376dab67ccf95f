import type { MessageAttributeValue, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';

/** SendMessageBatch takes at most 10 entries... */
export const SQS_MAX_BATCH_ENTRIES = 10;
/** ...whose sizes add up to at most 1 MiB (the same limit as one message since 2025). */
export const SQS_MAX_BATCH_BYTES = 1_048_576;
/** SQS's default and largest MaximumMessageSize. Queues made by Terraform's AWS provider 5.x cap it at 262,144. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

export type SizedEntry = Pick<SendMessageBatchRequestEntry, 'MessageBody' | 'MessageAttributes'>;

const utf8Bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));

function attributeBytes(name: string, value: MessageAttributeValue): number {
  return utf8Bytes(name) + utf8Bytes(value.DataType) + utf8Bytes(value.StringValue) + (value.BinaryValue?.byteLength ?? 0);
}

/**
 * The size SQS holds against its limits: the body in UTF-8 plus, for every message attribute, its
 * name, data type and value.
 */
export function messageBytes(entry: SizedEntry): number {
  let bytes = utf8Bytes(entry.MessageBody);
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) bytes += attributeBytes(name, value);
  return bytes;
}

export interface BatchLimits {
  /** Default 10. */
  maxEntries?: number;
  /** Default 1 MiB: the sum of the entries' messageBytes in one request. */
  maxBatchBytes?: number;
  /** The destination queue's MaximumMessageSize (redrive reads it: queueMaxMessageBytes in scripts/lib/redrive.ts). Default 1 MiB. */
  maxMessageBytes?: number;
}

export interface TooLarge<T> {
  entry: T;
  bytes: number;
  limit: number;
}

export interface Batches<T> {
  /** In input order; each within maxEntries and maxBatchBytes. */
  batches: T[][];
  /** Entries no queue with this MaximumMessageSize would take: never sent, the caller decides where they go. */
  tooLarge: TooLarge<T>[];
}

/**
 * Splits entries into SendMessageBatch requests SQS accepts: at most 10 entries and at most 1 MiB
 * per request, counted as SQS counts (body + attributes). Order is kept (FIFO groups stay in order).
 */
export function batchEntries<T extends SizedEntry>(entries: readonly T[], limits: BatchLimits = {}): Batches<T> {
  const maxEntries = limits.maxEntries ?? SQS_MAX_BATCH_ENTRIES;
  const maxBatchBytes = limits.maxBatchBytes ?? SQS_MAX_BATCH_BYTES;
  const maxMessageBytes = Math.min(limits.maxMessageBytes ?? SQS_MAX_MESSAGE_BYTES, maxBatchBytes);
  const batches: T[][] = [];
  const tooLarge: TooLarge<T>[] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const entry of entries) {
    const bytes = messageBytes(entry);
    if (bytes > maxMessageBytes) {
      tooLarge.push({ entry, bytes, limit: maxMessageBytes });
      continue;
    }
    if (current.length === maxEntries || currentBytes + bytes > maxBatchBytes) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += bytes;
  }
  if (current.length > 0) batches.push(current);
  return { batches, tooLarge };
}
