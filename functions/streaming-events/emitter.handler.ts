import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import contract from './contract.json';
import { emitRecords, type EmitOptions } from './emit';

export interface EmitterDeps extends EmitOptions {
  eventBridge: EventBridgeClient;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
}

/**
 * Event store stream -> bus. Entries PutEvents failed are retried; records still failing (and records
 * that are not stored events) are reported from the first of them on, so the mapping retries, bisects
 * and finally hands them to its on-failure destination.
 */
export function emitter({ eventBridge, logger, metrics, ...options }: EmitterDeps) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const result = await emitRecords(eventBridge, event.Records, options);
    metrics.addMetric(contract.metrics.putEventsFailedEntries, MetricUnit.Count, result.failedEntries);
    metrics.addMetric(contract.metrics.unemittedRecords, MetricUnit.Count, result.failures.length);
    metrics.publishStoredMetrics();
    if (result.failures.length > 0) logger.error('records not emitted; the stream retries from the first of them', { failures: result.failures, reported: result.batchItemFailures.length });
    logger.info('stream batch emitted', { records: event.Records.length, emitted: result.emitted, skipped: result.skipped, calls: result.calls, failedEntries: result.failedEntries, failed: result.failures.length });
    return { batchItemFailures: result.batchItemFailures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

const env = loadConfig(z.object({ EVENT_BUS_NAME: z.string().check(z.minLength(1)) }));

export const handler = emitter({
  eventBridge: new EventBridgeClient({}),
  eventBusName: env.EVENT_BUS_NAME,
  logger: createLogger('streaming-events-emitter'),
  metrics: new Metrics({ namespace: contract.metricNamespace, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'streaming-events-emitter' }),
});
