import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';

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
  log?: (line: string) => void;
}

export interface RedriveResult {
  dryRun: boolean;
  approximateBefore: number;
  moved: number;
  failed: number;
}

const isFifo = (queueUrl: string) => queueUrl.endsWith('.fifo');

export async function approximateDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

function toEntry(message: Message, index: number, fifo: boolean): SendMessageBatchRequestEntry {
  return {
    Id: String(index),
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
 * SendMessageBatch confirmed it; one that could not be sent stays in the DLQ and is counted as failed.
 * At least once: a crash between send and delete can deliver a message twice, never lose it.
 * (SQS StartMessageMoveTask does the same server-side for standard queues; this works for FIFO
 * queues and emulators too, and reports exact counts.)
 */
export async function redrive(sqs: SQSClient, options: RedriveOptions): Promise<RedriveResult> {
  const log = options.log ?? (() => {});
  const approximateBefore = await approximateDepth(sqs, options.sourceQueueUrl);
  if (options.dryRun) {
    log(`dry run: about ${approximateBefore} messages in ${options.sourceQueueUrl} would move to ${options.destinationQueueUrl}`);
    return { dryRun: true, approximateBefore, moved: 0, failed: 0 };
  }

  const fifo = isFifo(options.destinationQueueUrl);
  const limit = options.maxMessages ?? Number.POSITIVE_INFINITY;
  const emptyReceivesToStop = options.emptyReceivesToStop ?? 2;
  let moved = 0;
  let failed = 0;
  let emptyReceives = 0;

  while (moved + failed < limit && emptyReceives < emptyReceivesToStop) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.sourceQueueUrl,
        MaxNumberOfMessages: Math.min(10, limit - moved - failed),
        WaitTimeSeconds: 1,
        // Failed sends become visible again soon, for the next redrive run.
        VisibilityTimeout: 30,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) {
      emptyReceives += 1;
      continue;
    }
    emptyReceives = 0;

    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: options.destinationQueueUrl,
        Entries: Messages.map((m, i) => toEntry(m, i, fifo)),
      }),
    );
    for (const failure of sent.Failed ?? []) {
      log(`could not send message ${Messages[Number(failure.Id)]?.MessageId}: ${failure.Code} ${failure.Message ?? ''}; it stays in the DLQ`);
    }
    const sentMessages = (sent.Successful ?? []).map((s) => Messages[Number(s.Id)]).filter((m): m is Message => m !== undefined);
    failed += Messages.length - sentMessages.length;

    if (sentMessages.length > 0) {
      const deleted = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.sourceQueueUrl,
          Entries: sentMessages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      for (const failure of deleted.Failed ?? []) {
        log(`moved message ${sentMessages[Number(failure.Id)]?.MessageId} but could not delete it from the DLQ (${failure.Code}): it may be delivered twice`);
      }
      moved += sentMessages.length;
    }
  }

  log(`moved ${moved}, failed ${failed}`);
  return { dryRun: false, approximateBefore, moved, failed };
}
