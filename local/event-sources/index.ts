import { randomUUID } from 'node:crypto';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { EMULATOR_CREDENTIALS } from '../emulator/moto';
import type { FunctionRunner } from '../functions/runner';
import { failureInvocationRecord, runStreamMapping } from './dynamodb-stream';
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

async function queueUrlOf(client: SQSClient, queueArn: string): Promise<string> {
  const [, , , , account, queueName] = queueArn.split(':');
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: account }));
  return QueueUrl!;
}

const sqs: EventSourceAdapter = async (mapping, { endpoint, region, runner, signal, log, stats }) => {
  const client = new SQSClient({ endpoint, region, credentials: EMULATOR_CREDENTIALS });
  const QueueUrl = await queueUrlOf(client, mapping.EventSourceArn!);
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

/** Lambda's filter patterns arrive as JSON strings. */
const filterPatterns = (mapping: EventSourceMappingConfiguration): object[] => (mapping.FilterCriteria?.Filters ?? []).flatMap((f) => (f.Pattern ? [JSON.parse(f.Pattern) as object] : []));

const dynamodb: EventSourceAdapter = async (mapping, { endpoint, region, runner, signal, log, stats }) => {
  const streams = new DynamoDBStreamsClient({ endpoint, region, credentials: EMULATOR_CREDENTIALS });
  const sqsClient = new SQSClient({ endpoint, region, credentials: EMULATOR_CREDENTIALS });
  const functionArn = mapping.FunctionArn!;
  const functionName = functionArn.split(':')[6];
  const destination = mapping.DestinationConfig?.OnFailure?.Destination;
  const destinationUrl = destination?.split(':')[2] === 'sqs' ? await queueUrlOf(sqsClient, destination) : undefined;
  await runStreamMapping(
    streams,
    {
      streamArn: mapping.EventSourceArn!,
      region,
      batchSize: mapping.BatchSize ?? 100,
      startingPosition: mapping.StartingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
      filters: filterPatterns(mapping),
      bisectOnError: mapping.BisectBatchOnFunctionError ?? false,
      maximumRetryAttempts: mapping.MaximumRetryAttempts ?? -1,
      maximumRecordAgeSeconds: mapping.MaximumRecordAgeInSeconds ?? -1,
      reportBatchItemFailures: (mapping.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      invoke: (event) => invokeOrThrow(runner, functionArn, event),
      onFailure: async (records, failure) => {
        stats.failed += records.length;
        log(`[stream -> ${functionName}] gave up on ${records.length} record(s) (${failure.condition}: ${failure.reason})`);
        if (!destinationUrl) {
          log(`[stream -> ${functionName}] no SQS on-failure destination: the records are skipped, as Lambda does`);
          return;
        }
        const record = failureInvocationRecord(records, failure, functionArn, mapping.EventSourceArn!, randomUUID());
        await sqsClient.send(new SendMessageCommand({ QueueUrl: destinationUrl, MessageBody: JSON.stringify(record) }));
      },
    },
    signal,
    (delivered) => {
      stats.received += delivered;
      log(`[stream -> ${functionName}] ${delivered} record(s) delivered`);
    },
  );
};

/** Event source adapters by the service in the source ARN. New sources add an entry here. */
export const eventSourceAdapters: Record<string, EventSourceAdapter> = { sqs, dynamodb };

export function adapterFor(mapping: EventSourceMappingConfiguration): EventSourceAdapter | undefined {
  return eventSourceAdapters[mapping.EventSourceArn?.split(':')[2] ?? ''];
}
