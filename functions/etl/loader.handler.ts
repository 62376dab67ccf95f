import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { loadFile, type EtlConfig, type LoadOutcome } from './load-file';
import { parseQueueMessage } from './s3-events';
import { schema } from './schema';

const env = loadConfig(
  z.object({
    TABLE_NAME: z.string().min(1),
    TABLE_KEY_ATTRIBUTES: z.string().min(1),
    LEDGER_TABLE_NAME: z.string().min(1),
    QUEUE_URL: z.string().url(),
    KMS_KEY_ID: z.string().optional(),
    SAFETY_MARGIN_MS: z.coerce.number().int().positive().default(30_000),
    WRITE_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  }),
);

const config: EtlConfig = {
  tableName: env.TABLE_NAME,
  tableKeyAttributes: env.TABLE_KEY_ATTRIBUTES.split(','),
  ledgerTableName: env.LEDGER_TABLE_NAME,
  queueUrl: env.QUEUE_URL,
  incomingPrefix: 'incoming/',
  processedPrefix: 'processed/',
  quarantinePrefix: 'quarantine/',
  reportsPrefix: 'reports/',
  kmsKeyId: env.KMS_KEY_ID,
  safetyMarginMs: env.SAFETY_MARGIN_MS,
  writeConcurrency: env.WRITE_CONCURRENCY,
};

const logger = createLogger('etl-loader');
const metrics = new Metrics({ namespace: 'ReliableIngestion/ETL', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'etl-loader' });
const clients = { s3: new S3Client({}), dynamodb: new DynamoDBClient({ maxAttempts: 3 }), sqs: new SQSClient({}) };

function recordMetrics(outcome: LoadOutcome, startedAt: number): void {
  if (outcome.status === 'already-loaded') return;
  const { read, loaded, rejected } = outcome.counts;
  metrics.addMetric('RowsRead', MetricUnit.Count, read);
  metrics.addMetric('RowsLoaded', MetricUnit.Count, loaded);
  metrics.addMetric('RowsRejected', MetricUnit.Count, rejected);
  metrics.addMetric('SegmentDuration', MetricUnit.Milliseconds, Date.now() - startedAt);
  if (outcome.status === 'loaded') metrics.addMetric('RejectedRatio', MetricUnit.Percent, read === 0 ? 0 : (100 * rejected) / read);
}

async function processRecord(record: SQSRecord, context: Context): Promise<void> {
  const message = parseQueueMessage(record.body);
  if (message.kind === 'test-event') {
    logger.info('ignoring s3:TestEvent (sent when the notification was configured)');
    return;
  }
  const deps = { ...clients, schema, config, remainingTimeMs: () => context.getRemainingTimeInMillis(), log: (m: string, f: Record<string, unknown>) => logger.info(m, f) };
  const work = message.kind === 'continuation' ? [{ file: message.continuation.file, token: message.continuation.token }] : message.files.map((file) => ({ file, token: undefined }));
  for (const { file, token } of work) {
    const startedAt = Date.now();
    const outcome = await loadFile(deps, file, token);
    if (outcome.status === 'already-loaded') logger.info('file already loaded; notification ignored', { bucket: file.bucket, key: file.key, versionId: file.versionId });
    recordMetrics(outcome, startedAt);
  }
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const processor = new BatchProcessor(EventType.SQS);
  try {
    return await processPartialResponse(
      event,
      async (record: SQSRecord) => {
        try {
          await processRecord(record, context);
        } catch (error) {
          logger.error('load failed; the message stays in the queue for a retry or the DLQ', { messageId: record.messageId, error: error as Error });
          throw error;
        }
      },
      processor,
      { context, throwOnFullBatchFailure: false },
    );
  } finally {
    metrics.publishStoredMetrics();
  }
};
