import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import type { FunctionRunner } from '../functions/runner';
import { runSqsEventSource } from './sqs';

export interface EventSourceContext {
  endpoint: string;
  region: string;
  runner: FunctionRunner;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Running totals the adapter keeps up to date (make demo reads them). */
  stats: { received: number; done: number; failed: number };
}

/** Starts polling one mapping; resolves when the signal aborts. */
type EventSourceAdapter = (mapping: EventSourceMappingConfiguration, context: EventSourceContext) => Promise<void>;

async function invokeOrThrow<T>(runner: FunctionRunner, functionArn: string, event: unknown): Promise<T> {
  const result = await runner.invoke(functionArn, event);
  if (!result.ok) throw new Error(`${result.errorType}: ${result.errorMessage}`);
  return result.payload as T;
}

const sqs: EventSourceAdapter = async (mapping, { endpoint, region, runner, signal, log, stats }) => {
  const client = new SQSClient({ endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const [, , , , account, queueName] = mapping.EventSourceArn!.split(':');
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: account }));
  const functionArn = mapping.FunctionArn!;
  const functionName = functionArn.split(':')[6];
  await runSqsEventSource(
    client,
    {
      queueUrl: QueueUrl!,
      queueArn: mapping.EventSourceArn!,
      region,
      batchSize: mapping.BatchSize ?? 10,
      maximumBatchingWindowSeconds: mapping.MaximumBatchingWindowInSeconds ?? 0,
      reportBatchItemFailures: (mapping.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      invoke: (event) => invokeOrThrow(runner, functionArn, event),
    },
    signal,
    (poll) => {
      stats.received += poll.received;
      stats.done += poll.deleted;
      stats.failed += poll.failed;
      log(`[sqs -> ${functionName}] ${poll.received} received, ${poll.deleted} done, ${poll.failed} left for retry/DLQ`);
    },
  );
};

/** Event source adapters by the service in the source ARN. New sources add an entry here. */
export const eventSourceAdapters: Record<string, EventSourceAdapter> = { sqs };

export function adapterFor(mapping: EventSourceMappingConfiguration): EventSourceAdapter | undefined {
  return eventSourceAdapters[mapping.EventSourceArn?.split(':')[2] ?? ''];
}
