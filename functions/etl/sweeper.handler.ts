import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import contract from './contract.json';
import { sweep, type SweepResult } from './sweep';

const env = loadConfig(
  z.object({
    BUCKET_NAME: z.string().check(z.minLength(1)),
    LEDGER_TABLE_NAME: z.string().check(z.minLength(1)),
    QUEUE_URL: z.url(),
    MIN_AGE_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(0)), 900),
    MAX_FILES_PER_RUN: z._default(z.coerce.number().check(z.int(), z.minimum(1)), 1000),
  }),
);
const logger = createLogger('etl-sweeper');
const clients = { s3: new S3Client({}), dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}) };

/** Scheduled: re-notifies files in incoming/ that no load has finished or is working on. */
export const handler = async (): Promise<SweepResult> => {
  const result = await sweep(clients, {
    bucket: env.BUCKET_NAME,
    prefix: contract.prefixes.incoming,
    ledgerTableName: env.LEDGER_TABLE_NAME,
    queueUrl: env.QUEUE_URL,
    minAgeMs: env.MIN_AGE_SECONDS * 1000,
    maxFiles: env.MAX_FILES_PER_RUN,
  });
  logger.info('sweep done', { ...result });
  return result;
};
