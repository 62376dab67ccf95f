import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import * as z from 'zod/mini';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import contract from './contract.json';
import { QueueRefusedError, transformRecords, type TransformOptions } from './transform';

export interface TransformerDeps extends TransformOptions {
  sqs: SQSClient;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
}

/**
 * Firehose -> lake lines + FIFO queue. Each invalid record is logged with its reason (Firehose writes
 * only the raw record under the error prefix) and counted in InvalidRecords; when the queue keeps
 * refusing valid records the invocation fails and Firehose retries the whole batch.
 */
export function transformer({ sqs, logger, metrics, ...options }: TransformerDeps) {
  return async (event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> => {
    try {
      const outcome = await transformRecords(sqs, event.records, options);
      for (const { recordId, reason } of outcome.failed) logger.warn('record failed processing: Firehose writes it under the error prefix', { recordId, reason });
      metrics.addMetric(contract.metrics.invalidRecords, MetricUnit.Count, outcome.failed.length);
      logger.info('records transformed', { records: event.records.length, ok: event.records.length - outcome.failed.length, failed: outcome.failed.length, queued: outcome.queued, calls: outcome.calls, retries: outcome.retries });
      return { records: outcome.records };
    } catch (error) {
      if (error instanceof QueueRefusedError) {
        metrics.addMetric(contract.metrics.queueRefusedRecords, MetricUnit.Count, error.refused.length);
        logger.error('the queue refused records: failing the invocation so Firehose retries the batch', { refused: error.refused });
      }
      throw error;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

const env = loadConfig(z.object({ QUEUE_URL: z.url() }));

export const handler = transformer({
  sqs: new SQSClient({}),
  queueUrl: env.QUEUE_URL,
  logger: createLogger('streaming-events-transformer'),
  metrics: new Metrics({ namespace: contract.metricNamespace, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'streaming-events-transformer' }),
});
