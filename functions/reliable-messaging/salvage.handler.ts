import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod/mini';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { redisFromEnv } from './clients';
import contract from './contract.json';
import { salvage, type SalvageResult } from './salvage';

const env = loadConfig(z.object({ SALVAGE_BUCKET: z.string().check(z.minLength(1)), METADATA_TABLE: z.string().check(z.minLength(1)) }));
const redis = redisFromEnv();
const logger = createLogger('reliable-messaging-salvage');
const metrics = new Metrics({ namespace: contract.metricNamespace, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'reliable-messaging-salvage' });
const deps = { redis, s3: new S3Client({}), dynamodb: new DynamoDBClient({}), salvageBucket: env.SALVAGE_BUCKET, metadataTable: env.METADATA_TABLE };

export const handler = async (event: unknown): Promise<SalvageResult> => {
  try {
    const result = await salvage(deps, event);
    if (result.payloadLost) {
      logger.error('PAYLOAD LOST: the failed execution\'s payload is neither in Redis nor archived; recorded as FAILED with payloadLost', { ...result });
      metrics.addMetric('PayloadsLost', MetricUnit.Count, 1);
    } else {
      logger.warn('execution failed: payload salvaged and failure recorded', { ...result });
      metrics.addMetric('MessagesSalvaged', MetricUnit.Count, 1);
    }
    return result;
  } catch (error) {
    logger.error('salvage failed: the payload stays in Redis until its TTL', { error: error as Error });
    metrics.addMetric('SalvageFailures', MetricUnit.Count, 1);
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
};
