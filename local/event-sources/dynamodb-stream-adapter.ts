import { randomUUID } from 'node:crypto';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EMULATOR_CREDENTIALS } from '../emulator/moto';
import { functionNameOf, invokeOrThrow, queueUrlOf, type EventSourceAdapter } from './adapter';
import { failureInvocationRecord, runStreamMapping } from './dynamodb-stream';

/** Lambda's filter patterns arrive as JSON strings. */
const filterPatterns = (mapping: EventSourceMappingConfiguration): object[] => (mapping.FilterCriteria?.Filters ?? []).flatMap((f) => (f.Pattern ? [JSON.parse(f.Pattern) as object] : []));

/** A DynamoDB stream mapping: filters, bisect, retry and age limits, and its SQS on-failure destination. */
export const dynamodbStreamAdapter: EventSourceAdapter = async (mapping, { endpoint, region, runner, signal, log, stats }) => {
  const streams = new DynamoDBStreamsClient({ endpoint, region, credentials: EMULATOR_CREDENTIALS });
  const sqsClient = new SQSClient({ endpoint, region, credentials: EMULATOR_CREDENTIALS });
  const functionArn = mapping.FunctionArn!;
  const functionName = functionNameOf(functionArn);
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
