import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { FunctionRunner } from '../functions/runner';

/** Time as the runtime sees it; tests pass a fake one. `sleep` resolves early when the signal aborts. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export class StoppedError extends Error {
  override name = 'StoppedError';
}

/** A wait between retries that ends the retrying (rejects) once the runtime stops, instead of retrying at once. */
export const retryWait = (clock: Clock, signal: AbortSignal) => async (ms: number) => {
  await clock.sleep(ms, signal);
  if (signal.aborted) throw new StoppedError('the local runtime stopped before the retry');
};

/** What local/stack.ts gives a local service runtime (EventBridge, Firehose). */
export interface RuntimeContext {
  endpoint: string;
  region: string;
  runner: Pick<FunctionRunner, 'invoke'>;
  signal: AbortSignal;
  log: (line: string) => void;
  clock?: Clock;
}

export interface HandOffPolling {
  signal: AbortSignal;
  clock: Clock;
  log: (line: string) => void;
  /** How long a received message stays hidden while the runtime works on it. */
  visibilityTimeoutSeconds?: number;
}

/**
 * Reads a hand-off queue the moto hooks fill (in the emulator, so what is handed over survives a
 * runtime restart) until the signal aborts. Creating the queue is what turns the hand-off on: the
 * hooks leave moto's own behaviour alone while the queue does not exist (no runtime is listening).
 * `handle` deletes the message with `remove` once the work is done; a message it leaves comes back
 * after the visibility timeout. An emulator error is logged and the reading goes on.
 */
export async function pollHandOffQueue(sqs: SQSClient, queueName: string, { signal, clock, log, visibilityTimeoutSeconds }: HandOffPolling, handle: (message: Message, remove: () => Promise<void>) => Promise<void>): Promise<void> {
  let queueUrl: string | undefined;
  while (!signal.aborted) {
    try {
      queueUrl ??= (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl;
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: visibilityTimeoutSeconds }));
      for (const message of Messages) {
        await handle(message, () => sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle })).then(() => undefined));
      }
    } catch (error) {
      if (signal.aborted) return;
      log(`[local] reading ${queueName} failed, retrying in 1 s: ${(error as Error).message}`);
      await clock.sleep(1_000, signal);
    }
  }
}
