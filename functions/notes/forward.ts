import type { SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { CountRequest, Note } from './note';
import { sendCountRequests, type SendOptions } from './send-count-requests';

export type RecordDecision =
  | { kind: 'count'; request: CountRequest }
  | { kind: 'skip'; reason: string }
  | { kind: 'malformed'; reason: string };

const image = (value: Record<string, AttributeValue> | undefined) =>
  value ? (unmarshall(value as Record<string, SdkAttributeValue>) as Partial<Record<keyof Note, unknown>>) : undefined;

function noteProblems(next: Partial<Record<keyof Note, unknown>>): string[] {
  const problems: string[] = [];
  if (typeof next.noteId !== 'string' || next.noteId === '') problems.push('noteId is not a non-empty string');
  if (typeof next.content !== 'string') problems.push('content is not a string');
  if (typeof next.version !== 'number' || !Number.isInteger(next.version) || next.version < 1) problems.push('version is not a positive whole number');
  return problems;
}

/**
 * What to do with one stream record. Count new notes and updates that changed the content; skip
 * removals and updates that left the content alone (the count's own write-back changes only
 * wordCount, so it is never forwarded: no loop). A record that does not have a note's shape is
 * malformed: it is reported, never skipped silently.
 */
export function classifyRecord(record: DynamoDBRecord): RecordDecision {
  if (record.eventName === 'REMOVE') return { kind: 'skip', reason: 'removal' };
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return { kind: 'malformed', reason: `unexpected eventName ${JSON.stringify(record.eventName)}` };
  let next: ReturnType<typeof image>;
  let old: ReturnType<typeof image>;
  try {
    next = image(record.dynamodb?.NewImage);
    old = image(record.dynamodb?.OldImage);
  } catch (error) {
    return { kind: 'malformed', reason: `image cannot be read: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!next) return { kind: 'malformed', reason: 'no NewImage (the stream view must be NEW_AND_OLD_IMAGES)' };
  const problems = noteProblems(next);
  if (problems.length > 0) return { kind: 'malformed', reason: `NewImage is not a note: ${problems.join('; ')}` };
  const request = { noteId: next.noteId as string, version: next.version as number };
  // Without an OldImage a change cannot be ruled out: counting is safe (the write is conditional).
  if (record.eventName === 'MODIFY' && old !== undefined && old.content === next.content) return { kind: 'skip', reason: 'content unchanged' };
  return { kind: 'count', request };
}

export type ForwardOptions = SendOptions;

export interface MalformedRecord {
  sequenceNumber: string;
  eventId?: string;
  eventName?: string;
  reason: string;
}

export interface ForwardResult {
  forwarded: number;
  skipped: number;
  calls: number;
  /** Sequence numbers of records that could not be sent after every retry. */
  failed: string[];
  /** Records without a note's shape: reported as failures so they reach the on-failure destination. */
  malformed: MalformedRecord[];
}

/** Sends the count requests of a batch of stream records (see sendCountRequests); skips what needs no count. */
export async function forwardRecords(sqs: SQSClient, records: DynamoDBRecord[], options: ForwardOptions): Promise<ForwardResult> {
  const requests = new Map<string, CountRequest>();
  const sequences = new Map<string, string>();
  const malformed: MalformedRecord[] = [];
  let skipped = 0;
  records.forEach((record, index) => {
    const decision = classifyRecord(record);
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
    if (decision.kind === 'skip') skipped += 1;
    else if (decision.kind === 'malformed') malformed.push({ sequenceNumber, eventId: record.eventID, eventName: record.eventName, reason: decision.reason });
    else {
      requests.set(String(index), decision.request);
      sequences.set(String(index), sequenceNumber);
    }
  });
  const { calls, unsent } = requests.size > 0 ? await sendCountRequests(sqs, requests, options) : { calls: 0, unsent: [] };
  return { forwarded: requests.size - unsent.length, skipped, calls, failed: unsent.map((id) => sequences.get(id)!), malformed };
}

/** The batch item failures to report: unsent and malformed records, each sequence number once. */
export const failedSequenceNumbers = (result: ForwardResult): string[] => [...new Set([...result.failed, ...result.malformed.map((m) => m.sequenceNumber)])];
