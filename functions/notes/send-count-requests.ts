import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { backoffDelay, sleep as realSleep } from '../lib/backoff';
import { batchEntries } from '../lib/sqs-batches';
import type { CountRequest } from './note';

export interface SendOptions {
  queueUrl: string;
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SendResult {
  calls: number;
  /** Ids of the requests SQS still refused after every attempt. */
  unsent: string[];
}

/** The message body of a count request: the note and version only, never the content. */
export const countRequestBody = (request: CountRequest) => JSON.stringify({ noteId: request.noteId, version: request.version });

/**
 * Sends count requests with SendMessageBatch (10 per call, cut by bytes too, see lib/sqs-batches),
 * retrying (with backoff) only the entries SQS refused. The queue is a standard one: a request sent
 * twice is harmless because the counter's write is conditional on the version.
 */
export async function sendCountRequests(sqs: SQSClient, requests: Map<string, CountRequest>, options: SendOptions): Promise<SendResult> {
  const { maxAttempts = 4, baseDelayMs = 50, sleep = realSleep } = options;
  const pending = new Map([...requests].map(([id, request]) => [id, { Id: id, MessageBody: countRequestBody(request) }]));
  let calls = 0;
  for (let attempt = 0; pending.size > 0 && attempt < maxAttempts; attempt++) {
    if (attempt > 0) await sleep(backoffDelay(attempt, { baseDelayMs, maxDelayMs: 2_000 }));
    // A body is a few dozen bytes, so nothing is ever too large; the byte cut is there for safety.
    for (const batch of batchEntries([...pending.values()]).batches) {
      calls += 1;
      const { Successful = [] } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: batch }));
      for (const sent of Successful) pending.delete(sent.Id!);
    }
  }
  return { calls, unsent: [...pending.keys()] };
}
