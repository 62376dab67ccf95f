import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { quick, redisFromEnv } from './clients';
import contract from './contract.json';
import { ingest, type IngestOutcome } from './ingest';

const env = loadConfig(z.object({ STATE_MACHINE_ARN: z.string().check(z.minLength(1)), SALVAGE_BUCKET: z.string().check(z.minLength(1)) }));
const redis = redisFromEnv();
const logger = createLogger('reliable-messaging-ingest');
const metrics = new Metrics({ namespace: contract.metricNamespace, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'reliable-messaging-ingest' });
const deps = { redis, sfn: new SFNClient(quick(3_000)), s3: new S3Client(quick(6_000)), stateMachineArn: env.STATE_MACHINE_ARN, salvageBucket: env.SALVAGE_BUCKET };

const METRIC: Partial<Record<IngestOutcome, string>> = {
  started: 'MessagesAccepted',
  duplicate: 'MessagesDuplicate',
  salvaged: 'MessagesSalvaged',
  unavailable: 'MessagesRefused',
};

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const requestId = event.requestContext?.requestId;
  const result = await ingest(deps, { body: event.body, isBase64Encoded: event.isBase64Encoded, headers: event.headers });
  const fields = { requestId, messageId: result.body.messageId, status: result.statusCode, outcome: result.outcome, errors: result.errors };
  if (result.outcome === 'unavailable') logger.error('nothing stored: Redis or Step Functions failed, and the salvage bucket too', fields);
  else if (result.outcome === 'salvaged') logger.warn('salvaged to S3: Redis or Step Functions failed', fields);
  else logger.info('request', fields);
  const metric = METRIC[result.outcome];
  if (metric) {
    metrics.addMetric(metric, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  }
  return { statusCode: result.statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...result.body, requestId }) };
};
