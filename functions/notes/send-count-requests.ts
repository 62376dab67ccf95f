import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { backoffDelay, sleep as realSleep } from '../lib/backoff';
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

/**
 * Sends count requests with SendMessageBatch, 10 per call, retrying (with backoff) only the entries
 * SQS refused. The queue is a standard one: a request sent twice is harmless because the counter's
 * write is conditional on the version.
 */
export async function sendCountRequests(sqs: SQSClient, requests: Map<string, CountRequest>, options: SendOptions): Promise<SendResult> {
  const { maxAttempts = 4, baseDelayMs = 50, sleep = realSleep } = options;
  const pending = new Map([...requests].map(([id, request]) => [id, { Id: id, MessageBody: JSON.stringify(request) }]));
  let calls = 0;
  for (let attempt = 0; pending.size > 0 && attempt < maxAttempts; attempt++) {
    if (attempt > 0) await sleep(backoffDelay(attempt, { baseDelayMs, maxDelayMs: 2_000 }));
    const entries = [...pending.values()];
    for (let i = 0; i < entries.length; i += 10) {
      calls += 1;
      const { Successful = [] } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: entries.slice(i, i + 10) }));
      for (const sent of Successful) pending.delete(sent.Id!);
    }
  }
  return { calls, unsent: [...pending.keys()] };
}
