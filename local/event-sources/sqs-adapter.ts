import { SQSClient } from '@aws-sdk/client-sqs';
import { EMULATOR_CREDENTIALS } from '../emulator/moto';
import { functionNameOf, invokeOrThrow, queueUrlOf, type EventSourceAdapter } from './adapter';
import { runSqsEventSource } from './sqs';

/** An SQS queue mapping: batch size, batching window and partial batch responses, as Lambda polls it. */
export const sqsAdapter: EventSourceAdapter = async (mapping, { endpoint, region, runner, signal, log, stats }) => {
  const client = new SQSClient({ endpoint, region, credentials: EMULATOR_CREDENTIALS });
  const queueUrl = await queueUrlOf(client, mapping.EventSourceArn!);
  const functionArn = mapping.FunctionArn!;
  const functionName = functionNameOf(functionArn);
  await runSqsEventSource(
    client,
    {
      queueUrl,
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
