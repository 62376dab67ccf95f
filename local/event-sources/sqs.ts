import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { FifoGroupOrder, isFifoQueue } from './fifo-order';

export type SqsInvoke = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface SqsEventSourceOptions {
  queueUrl: string;
  queueArn: string;
  region: string;
  /** Records per invocation (Lambda: up to 10,000; SQS returns at most 10 per receive). */
  batchSize: number;
  /** How long to gather a batch before invoking with what arrived. */
  maximumBatchingWindowSeconds?: number;
  reportBatchItemFailures: boolean;
  invoke: SqsInvoke;
}

export interface PollStats {
  received: number;
  deleted: number;
  failed: number;
}

function toLambdaAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      dataType: value.DataType ?? 'String',
      stringValue: value.StringValue,
      binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return result;
}

export function toSqsRecord(message: Message, options: Pick<SqsEventSourceOptions, 'queueArn' | 'region'>): SQSRecord {
  const system = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
      SentTimestamp: system.SentTimestamp ?? String(Date.now()),
      SenderId: system.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(system.MessageGroupId && { MessageGroupId: system.MessageGroupId }),
      ...(system.MessageDeduplicationId && { MessageDeduplicationId: system.MessageDeduplicationId }),
      ...(system.SequenceNumber && { SequenceNumber: system.SequenceNumber }),
    },
    messageAttributes: toLambdaAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? createHash('md5').update(message.Body ?? '').digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  };
}

/**
 * Which messages Lambda deletes after an invocation: all on success; all but the reported ones with
 * ReportBatchItemFailures; none if the function failed or reported an identifier that is not in the
 * batch (Lambda then treats the whole batch as failed).
 */
export function messagesToDelete(
  records: SQSRecord[],
  outcome: { ok: true; response: SQSBatchResponse | void } | { ok: false },
  reportBatchItemFailures: boolean,
): SQSRecord[] {
  if (!outcome.ok) return [];
  if (!reportBatchItemFailures || !outcome.response) return records;
  const failures = outcome.response.batchItemFailures ?? [];
  const ids = new Set(records.map((r) => r.messageId));
  if (failures.some((f) => !f.itemIdentifier || !ids.has(f.itemIdentifier))) return [];
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  return records.filter((r) => !failed.has(r.messageId));
}

async function receiveBatch(sqs: SQSClient, options: SqsEventSourceOptions, signal?: AbortSignal): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + (options.maximumBatchingWindowSeconds ?? 0) * 1000;
  do {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, options.batchSize - messages.length),
        WaitTimeSeconds: messages.length === 0 ? 1 : 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    messages.push(...Messages);
    if (Messages.length === 0 && messages.length > 0) break;
  } while (messages.length < options.batchSize && messages.length > 0 && Date.now() < deadline);
  return messages;
}

async function deleteMessages(sqs: SQSClient, queueUrl: string, receiptHandles: string[]): Promise<void> {
  for (let i = 0; i < receiptHandles.length; i += 10) {
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: receiptHandles.slice(i, i + 10).map((handle, j) => ({ Id: String(j), ReceiptHandle: handle })) }));
  }
}

/** Makes messages visible again now (FIFO: the later messages of a group whose head stays in flight). */
async function releaseMessages(sqs: SQSClient, queueUrl: string, messages: Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })) }),
    );
  }
}

/**
 * One poll: receive a batch, invoke, delete what Lambda would delete. Failed messages are left to
 * the queue's visibility timeout and redrive policy, exactly as with a real event source mapping;
 * on a FIFO queue `fifo` keeps each group in order (see fifo-order.ts).
 */
export async function pollOnce(sqs: SQSClient, options: SqsEventSourceOptions, signal?: AbortSignal, fifo?: FifoGroupOrder): Promise<PollStats> {
  const received = await receiveBatch(sqs, options, signal);
  const { deliver: messages, release } = fifo ? fifo.admit(received) : { deliver: received, release: [] };
  if (release.length > 0) await releaseMessages(sqs, options.queueUrl, release);
  if (messages.length === 0) return { received: 0, deleted: 0, failed: 0 };
  const records = messages.map((m) => toSqsRecord(m, options));
  let outcome: { ok: true; response: SQSBatchResponse | void } | { ok: false };
  try {
    outcome = { ok: true, response: await options.invoke({ Records: records }) };
  } catch {
    outcome = { ok: false };
  }
  const toDelete = new Set(messagesToDelete(records, outcome, options.reportBatchItemFailures).map((r) => r.receiptHandle));
  await deleteMessages(sqs, options.queueUrl, [...toDelete]);
  if (fifo) {
    const later = fifo.settle(messages, messages.filter((m) => !toDelete.has(m.ReceiptHandle ?? '')));
    if (later.length > 0) await releaseMessages(sqs, options.queueUrl, later);
  }
  return { received: records.length, deleted: toDelete.size, failed: records.length - toDelete.size };
}

/** Group order for a FIFO queue, from its visibility timeout and redrive policy. */
export async function fifoOrderFor(sqs: SQSClient, queueUrl: string): Promise<FifoGroupOrder | undefined> {
  if (!isFifoQueue(queueUrl)) return undefined;
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'] }));
  const redrive = Attributes.RedrivePolicy ? (JSON.parse(Attributes.RedrivePolicy) as { maxReceiveCount?: number | string }) : undefined;
  const visibilityMs = Number(Attributes.VisibilityTimeout ?? '30') * 1000;
  return new FifoGroupOrder({ maxReceiveCount: redrive?.maxReceiveCount === undefined ? undefined : Number(redrive.maxReceiveCount), headTimeoutMs: 2 * visibilityMs + 10_000 });
}

/** Polls until the signal aborts. */
export async function runSqsEventSource(
  sqs: SQSClient,
  options: SqsEventSourceOptions,
  signal: AbortSignal,
  onPoll: (stats: PollStats) => void = () => {},
): Promise<void> {
  const fifo = await fifoOrderFor(sqs, options.queueUrl);
  while (!signal.aborted) {
    try {
      const stats = await pollOnce(sqs, options, signal, fifo);
      if (stats.received > 0) onPoll(stats);
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
  }
}
