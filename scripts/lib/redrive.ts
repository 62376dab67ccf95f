import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { sleep as realSleep } from '../../functions/lib/backoff';
import { batchEntries, SQS_MAX_MESSAGE_BYTES } from '../../functions/lib/sqs-batches';

export interface RedriveProgress {
  moved: number;
  failed: number;
  elapsedMs: number;
}

export interface RedriveOptions {
  /** The dead-letter queue to drain. */
  sourceQueueUrl: string;
  /** The queue the messages go back to (the DLQ's source queue). */
  destinationQueueUrl: string;
  dryRun?: boolean;
  /** Stop after this many messages (default: until the DLQ is empty). */
  maxMessages?: number;
  /** Empty receives in a row that mean "drained" (SQS sampling can miss messages once). */
  emptyReceivesToStop?: number;
  /** How long a received message stays hidden from others while it is moved (default 60 s). */
  visibilityTimeoutSeconds?: number;
  /** SendMessageBatch calls failing whole, in a row, after which the run stops (default 3). */
  maxConsecutiveCallFailures?: number;
  /**
   * When messages seem to remain after a run that moved some, re-read the depth this many times
   * (SQS's approximate counts lag behind deletes). Default 3 times, 2 s apart.
   */
  settle?: { attempts: number; delayMs: number };
  /** Stops the run after the messages in hand are dealt with (and released if not moved). */
  signal?: AbortSignal;
  log?: (line: string) => void;
  onProgress?: (progress: RedriveProgress) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface QueueDepth {
  /** ApproximateNumberOfMessages. */
  visible: number;
  /** ApproximateNumberOfMessagesNotVisible: received by someone (maybe an earlier run) and not deleted yet. */
  inFlight: number;
}

export interface RedriveResult {
  dryRun: boolean;
  /** visible + in flight before the run. */
  approximateBefore: number;
  before: QueueDepth;
  moved: number;
  /** Messages this run received and could not move: they stay in the DLQ. */
  failed: number;
  /** Of the failed ones, those made visible again at once (ChangeMessageVisibility 0), ready for the next run. */
  released: number;
  after: QueueDepth;
  /** visible + in flight after the run. */
  remaining: number;
  /** Why the run ended before the DLQ looked empty. */
  stoppedBy?: 'max' | 'aborted' | 'errors';
  /** True only when nothing failed and nothing remains (or --max was reached). */
  complete: boolean;
}

const isFifo = (queueUrl: string) => queueUrl.endsWith('.fifo');
const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return { visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) };
}

export async function approximateDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { visible, inFlight } = await queueDepth(sqs, queueUrl);
  return visible + inFlight;
}

/** The queue's MaximumMessageSize in bytes (SQS's default when the queue does not say). */
export async function queueMaxMessageBytes(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['MaximumMessageSize'] }));
  const value = Number(Attributes?.MaximumMessageSize);
  return Number.isInteger(value) && value > 0 ? value : SQS_MAX_MESSAGE_BYTES;
}

function toEntry(message: Message, id: string, fifo: boolean): SendMessageBatchRequestEntry {
  return {
    Id: id,
    MessageBody: message.Body ?? '',
    MessageAttributes: message.MessageAttributes,
    ...(fifo && {
      MessageGroupId: message.Attributes?.MessageGroupId ?? 'redrive',
      // Unique per DLQ message, so a redrive retried after a crash is deduplicated by SQS.
      MessageDeduplicationId: message.MessageId,
    }),
  };
}

/**
 * Moves messages from a DLQ back to its source queue. A message is deleted from the DLQ only after
 * SendMessageBatch confirmed it. Requests are cut by bytes as well as by count (1 MiB per request),
 * and a message larger than the destination's MaximumMessageSize is never sent. A message that could
 * not be moved stays in the DLQ, is counted as failed and, at the end of the run, is made visible
 * again at once, so the next run sees it. The result says how many messages remain in the DLQ after
 * the run (visible and in flight), so a run that finds nothing to receive while messages are still
 * held elsewhere does not pass for a success.
 * At least once: a crash between send and delete can deliver a message twice, never lose it.
 * (SQS StartMessageMoveTask does the same server-side for standard queues; this works for FIFO
 * queues and emulators too, and reports exact counts.)
 */
export async function redrive(sqs: SQSClient, options: RedriveOptions): Promise<RedriveResult> {
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const before = await queueDepth(sqs, options.sourceQueueUrl);
  const approximateBefore = before.visible + before.inFlight;
  if (options.dryRun) {
    log(`dry run: about ${approximateBefore} messages in ${options.sourceQueueUrl} (${before.inFlight} of them in flight) would move to ${options.destinationQueueUrl}`);
    return { dryRun: true, approximateBefore, before, moved: 0, failed: 0, released: 0, after: before, remaining: approximateBefore, complete: true };
  }

  const fifo = isFifo(options.destinationQueueUrl);
  const maxMessageBytes = await queueMaxMessageBytes(sqs, options.destinationQueueUrl);
  const limit = options.maxMessages ?? Number.POSITIVE_INFINITY;
  const emptyReceivesToStop = options.emptyReceivesToStop ?? 2;
  const maxConsecutiveCallFailures = options.maxConsecutiveCallFailures ?? 3;
  const startedAt = now();
  let moved = 0;
  let emptyReceives = 0;
  let consecutiveCallFailures = 0;
  let stoppedBy: RedriveResult['stoppedBy'];
  // Messages not moved, by id, with their latest receipt handle (a long run can receive one twice).
  const held = new Map<string, Message>();
  // Moved, but the delete failed: never sent a second time by this run.
  const movedNotDeleted = new Set<string>();
  const hold = (message: Message) => held.set(message.MessageId ?? message.ReceiptHandle ?? '', message);

  while (emptyReceives < emptyReceivesToStop) {
    if (options.signal?.aborted) {
      stoppedBy = 'aborted';
      break;
    }
    if (moved + held.size >= limit) {
      stoppedBy = 'max';
      break;
    }
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.sourceQueueUrl,
        MaxNumberOfMessages: Math.min(10, limit - moved - held.size),
        WaitTimeSeconds: 1,
        VisibilityTimeout: options.visibilityTimeoutSeconds ?? 60,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const fresh: Message[] = [];
    for (const message of Messages) {
      const id = message.MessageId ?? '';
      if (held.has(id)) held.set(id, message);
      else if (!movedNotDeleted.has(id)) fresh.push(message);
    }
    if (fresh.length === 0) {
      emptyReceives += 1;
      continue;
    }
    emptyReceives = 0;

    const { batches, tooLarge } = batchEntries(
      fresh.map((m, i) => toEntry(m, String(i), fifo)),
      { maxMessageBytes },
    );
    for (const { entry, bytes, limit: max } of tooLarge) {
      const message = fresh[Number(entry.Id)]!;
      log(`message ${message.MessageId} is ${bytes} bytes, over the destination's MaximumMessageSize of ${max} bytes: it stays in the DLQ`);
      hold(message);
    }
    for (const batch of batches) {
      const messages = batch.map((entry) => fresh[Number(entry.Id)]!);
      if (stoppedBy === 'errors') {
        messages.forEach(hold);
        continue;
      }
      let sent;
      try {
        sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: options.destinationQueueUrl, Entries: batch }));
        consecutiveCallFailures = 0;
      } catch (error) {
        log(`could not send ${batch.length} messages (${errorText(error)}): they stay in the DLQ`);
        messages.forEach(hold);
        consecutiveCallFailures += 1;
        if (consecutiveCallFailures >= maxConsecutiveCallFailures) {
          log(`${consecutiveCallFailures} send requests in a row failed: stopping`);
          stoppedBy = 'errors';
        }
        continue;
      }
      for (const failure of sent.Failed ?? []) {
        const message = fresh[Number(failure.Id)];
        log(`could not send message ${message?.MessageId}: ${failure.Code} ${failure.Message ?? ''}; it stays in the DLQ`);
        if (message) hold(message);
      }
      const sentMessages = (sent.Successful ?? []).map((s) => fresh[Number(s.Id)]).filter((m): m is Message => m !== undefined);
      if (sentMessages.length === 0) continue;
      moved += sentMessages.length;
      const notDeleted = await deleteMessages(sqs, options.sourceQueueUrl, sentMessages);
      for (const { message, reason } of notDeleted) {
        log(`moved message ${message.MessageId} but could not delete it from the DLQ (${reason}): it may be delivered twice`);
        movedNotDeleted.add(message.MessageId ?? '');
      }
    }
    options.onProgress?.({ moved, failed: held.size, elapsedMs: now() - startedAt });
    if (stoppedBy === 'errors') break;
  }

  const released = await release(sqs, options.sourceQueueUrl, [...held.values()], log);
  let after = await queueDepth(sqs, options.sourceQueueUrl);
  const settle = options.settle ?? { attempts: 3, delayMs: 2_000 };
  for (let i = 0; i < settle.attempts && moved > 0 && held.size === 0 && after.visible + after.inFlight > 0; i++) {
    await sleep(settle.delayMs);
    after = await queueDepth(sqs, options.sourceQueueUrl);
  }
  const remaining = after.visible + after.inFlight;
  const failed = held.size;
  const complete = failed === 0 && (remaining === 0 || stoppedBy === 'max');
  log(`moved ${moved}, failed ${failed}; about ${remaining} remain in the DLQ (${after.visible} visible, ${after.inFlight} in flight)`);
  return { dryRun: false, approximateBefore, before, moved, failed, released, after, remaining, ...(stoppedBy && { stoppedBy }), complete };
}

async function deleteMessages(sqs: SQSClient, queueUrl: string, messages: Message[]): Promise<{ message: Message; reason: string }[]> {
  try {
    const deleted = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    return (deleted.Failed ?? []).map((failure) => ({ message: messages[Number(failure.Id)]!, reason: failure.Code ?? 'unknown' }));
  } catch (error) {
    return messages.map((message) => ({ message, reason: errorText(error) }));
  }
}

/** Makes messages visible again at once; returns how many SQS confirmed. */
async function release(sqs: SQSClient, queueUrl: string, messages: Message[], log: (line: string) => void): Promise<number> {
  let released = 0;
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    try {
      const result = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })) }),
      );
      released += result.Successful?.length ?? 0;
      for (const failure of result.Failed ?? []) log(`could not make message ${chunk[Number(failure.Id)]?.MessageId} visible again (${failure.Code}): it reappears when its visibility timeout ends`);
    } catch (error) {
      log(`could not make ${chunk.length} messages visible again (${errorText(error)}): they reappear when their visibility timeout ends`);
    }
  }
  return released;
}
