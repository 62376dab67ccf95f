import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import contract from './contract.json';
import { storeEvent } from './store';

export interface StorerDeps {
  dynamodb: DynamoDBClient;
  tableName: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
  now?: () => Date;
}

/**
 * FIFO queue -> event store. Records are handled in order; when one fails, it and every later record
 * of its message group are reported as failures (so the group keeps its order on the retry), and the
 * other groups carry on (Powertools' SqsFifoPartialProcessorAsync with skipGroupOnError).
 */
export function storer(deps: StorerDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const counts = { stored: 0, duplicate: 0, conflict: 0 };
    const storeRecord = async (record: SQSRecord) => {
      try {
        const { outcome, event: stored } = await storeEvent(deps.dynamodb, deps.tableName, record.body, deps.now);
        counts[outcome] += 1;
        if (outcome === 'conflict') deps.logger.warn('another event already holds this key: the first one stays', { messageId: record.messageId, eventId: stored.eventId, entityId: stored.entityId, occurredAt: stored.occurredAt });
      } catch (error) {
        deps.logger.error('message not stored; it and the rest of its group stay in the queue for a retry or the DLQ', {
          messageId: record.messageId,
          messageGroupId: record.attributes.MessageGroupId,
          receiveCount: record.attributes.ApproximateReceiveCount,
          error: error as Error,
        });
        throw error;
      }
    };
    const response = await processPartialResponse(event, storeRecord, new SqsFifoPartialProcessorAsync(), { skipGroupOnError: true, throwOnFullBatchFailure: false });
    deps.metrics.addMetric(contract.metrics.conflictingDuplicates, MetricUnit.Count, counts.conflict);
    deps.metrics.publishStoredMetrics();
    deps.logger.info('batch stored', { records: event.Records.length, ...counts, failed: response.batchItemFailures.length });
    return response;
  };
}

const env = loadConfig(z.object({ TABLE_NAME: z.string().check(z.minLength(1)) }));

export const handler = storer({
  dynamodb: new DynamoDBClient({}),
  tableName: env.TABLE_NAME,
  logger: createLogger('streaming-events-storer'),
  metrics: new Metrics({ namespace: contract.metricNamespace, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'streaming-events-storer' }),
});
