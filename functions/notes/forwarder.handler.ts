import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { forwardRecords } from './forward';

const env = loadConfig(z.object({ QUEUE_URL: z.string().url() }));
const logger = createLogger('notes-forwarder');
const sqs = new SQSClient({});

/**
 * Stream -> queue. Records that could not be sent are reported by sequence number: Lambda retries
 * the batch from the lowest of them (bisecting on error, up to the mapping's retry and age limits,
 * then the on-failure destination keeps the record).
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const result = await forwardRecords(sqs, event.Records, { queueUrl: env.QUEUE_URL });
  logger.info('stream batch forwarded', { records: event.Records.length, ...result, failed: result.failed.length });
  if (result.failed.length > 0) logger.error('records not forwarded; the stream will retry them', { sequenceNumbers: result.failed });
  return { batchItemFailures: result.failed.map((itemIdentifier) => ({ itemIdentifier })) };
};
