import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { loadConfig } from '../lib/config';
import contract from './contract.json';
import { createLogger } from '../lib/logger';
import { fileId } from './ledger';
import { LoadFailedError, loadFile, type EtlConfig, type LoadOutcome } from './load-file';
import { parseQueueMessage, s3EventFor } from './s3-events';
import { schema } from './schema';

const env = loadConfig(
  z.object({
    TABLE_NAME: z.string().check(z.minLength(1)),
    TABLE_KEY_ATTRIBUTES: z.string().check(z.minLength(1)),
    LEDGER_TABLE_NAME: z.string().check(z.minLength(1)),
    QUEUE_URL: z.url(),
    KMS_KEY_ID: z.optional(z.string()),
    SAFETY_MARGIN_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 30_000),
    WRITE_CONCURRENCY: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(32)), 4),
    MAX_FILE_ATTEMPTS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 3),
    BUSY_RETRY_DELAY_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(900)), 60),
  }),
);

const config: EtlConfig = {
  tableName: env.TABLE_NAME,
  tableKeyAttributes: env.TABLE_KEY_ATTRIBUTES.split(','),
  ledgerTableName: env.LEDGER_TABLE_NAME,
  queueUrl: env.QUEUE_URL,
  incomingPrefix: contract.prefixes.incoming,
  processedPrefix: contract.prefixes.processed,
  supersededPrefix: contract.prefixes.superseded,
  quarantinePrefix: contract.prefixes.quarantine,
  reportsPrefix: contract.prefixes.reports,
  kmsKeyId: env.KMS_KEY_ID,
  safetyMarginMs: env.SAFETY_MARGIN_MS,
  writeConcurrency: env.WRITE_CONCURRENCY,
  maxAttempts: env.MAX_FILE_ATTEMPTS,
};

const logger = createLogger('etl-loader');
const metrics = new Metrics({ namespace: contract.metricNamespace, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'etl-loader' });
const clients = { s3: new S3Client({}), dynamodb: new DynamoDBClient({ maxAttempts: 3 }), sqs: new SQSClient({}) };

function recordMetrics(outcome: LoadOutcome, startedAt: number): void {
  if (outcome.status === 'superseded') metrics.addMetric('FilesSuperseded', MetricUnit.Count, 1);
  if (outcome.status !== 'loaded' && outcome.status !== 'continued') return;
  const { read, loaded, rejected } = outcome.counts;
  metrics.addMetric('RowsRead', MetricUnit.Count, read);
  metrics.addMetric('RowsLoaded', MetricUnit.Count, loaded);
  metrics.addMetric('RowsRejected', MetricUnit.Count, rejected);
  metrics.addMetric('SegmentDuration', MetricUnit.Milliseconds, Date.now() - startedAt);
  if (outcome.status === 'loaded') {
    metrics.addMetric('RejectedRatio', MetricUnit.Percent, read === 0 ? 0 : (100 * rejected) / read);
    if (outcome.superseded.length > 0) metrics.addMetric('FilesSuperseded', MetricUnit.Count, outcome.superseded.length);
  }
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
    let outcome: LoadOutcome;
    try {
      outcome = await loadFile(deps, file, token);
    } catch (error) {
      if (error instanceof LoadFailedError && error.entry.status === 'FAILED') {
        metrics.addMetric('FilesFailed', MetricUnit.Count, 1);
        logger.error('file FAILED: the sweeper will not retry it; fix the cause, then redrive the DLQ', { file: fileId(file), attempts: error.entry.attempts, error: error.cause });
      }
      throw error;
    }
    recordMetrics(outcome, startedAt);
    if (outcome.status === 'busy') {
      // Another invocation is loading this key (a slow load, or an older version first): not a
      // failure, so it must not count towards the DLQ. Ask again later.
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: config.queueUrl, MessageBody: s3EventFor(file), DelaySeconds: env.BUSY_RETRY_DELAY_SECONDS }));
      logger.info('key is being loaded by another invocation; re-queued with a delay', { file: fileId(file), heldBy: outcome.heldBy, delaySeconds: env.BUSY_RETRY_DELAY_SECONDS });
    } else if (outcome.status === 'already-loaded') {
      logger.info('version already loaded; notification ignored', { file: fileId(file) });
    } else if (outcome.status === 'superseded') {
      logger.warn('version superseded by a newer one already loaded: no row changed', { file: fileId(file), by: outcome.by });
    } else if (outcome.status === 'stale-continuation') {
      logger.info('continuation already taken over (redelivery or expired lease); nothing to do', { file: fileId(file) });
    }
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
