import type { SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { CountRequest, Note } from './note';
import { sendCountRequests, type SendOptions } from './send-count-requests';

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

export type ForwardOptions = SendOptions;

export interface ForwardResult {
  forwarded: number;
  skipped: number;
  calls: number;
  /** Sequence numbers of records that could not be sent after every retry. */
  failed: string[];
}

/** Sends the count requests of a batch of stream records (see sendCountRequests); skips what needs no count. */
export async function forwardRecords(sqs: SQSClient, records: DynamoDBRecord[], options: ForwardOptions): Promise<ForwardResult> {
  const requests = new Map<string, CountRequest>();
  const sequences = new Map<string, string>();
  records.forEach((record, index) => {
    const request = countRequestFor(record);
    if (!request) return;
    requests.set(String(index), request);
    sequences.set(String(index), record.dynamodb?.SequenceNumber ?? '');
  });
  const { calls, unsent } = await sendCountRequests(sqs, requests, options);
  return { forwarded: requests.size - unsent.length, skipped: records.length - requests.size, calls, failed: unsent.map((id) => sequences.get(id)!) };
}
