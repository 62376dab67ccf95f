import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import contract from './contract.json';
import { failedSequenceNumbers, forwardRecords } from './forward';

export interface ForwarderDeps {
  sqs: SQSClient;
  queueUrl: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
}

/**
 * Stream -> queue. Records that could not be sent, and records that do not have a note's shape, are
 * reported by sequence number: Lambda retries the batch from the lowest of them (bisecting on error,
 * up to the mapping's retry and age limits), then the on-failure destination keeps the record.
 * A malformed record is also logged as a warning and counted in the MalformedStreamRecords metric.
 */
export function forwarder(deps: ForwarderDeps) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const result = await forwardRecords(deps.sqs, event.Records, { queueUrl: deps.queueUrl });
    for (const record of result.malformed) {
      deps.logger.warn('stream record does not have the shape of a note: reported as a failure, so it ends in the stream-failures queue', { ...record });
    }
    deps.metrics.addMetric('MalformedStreamRecords', MetricUnit.Count, result.malformed.length);
    deps.metrics.publishStoredMetrics();
    deps.logger.info('stream batch forwarded', { records: event.Records.length, forwarded: result.forwarded, skipped: result.skipped, calls: result.calls, failed: result.failed.length, malformed: result.malformed.length });
    if (result.failed.length > 0) deps.logger.error('records not forwarded; the stream will retry them', { sequenceNumbers: result.failed });
    return { batchItemFailures: failedSequenceNumbers(result).map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

const env = loadConfig(z.object({ QUEUE_URL: z.url() }));

export const handler = forwarder({
  sqs: new SQSClient({}),
  queueUrl: env.QUEUE_URL,
  logger: createLogger('notes-forwarder'),
  metrics: new Metrics({ namespace: contract.metricNamespace, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'notes-forwarder' }),
});
