import { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod/mini';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { archive, type Archived } from './archive';
import { redisFromEnv } from './clients';

const env = loadConfig(z.object({ ARCHIVE_BUCKET: z.string().check(z.minLength(1)) }));
const redis = redisFromEnv();
const logger = createLogger('reliable-messaging-archive');
const s3 = new S3Client({});

/** Task of the workflow: its input is the pointer; failures go back to the state machine's Retry/Catch. */
export const handler = async (event: unknown): Promise<Archived> => {
  try {
    const archived = await archive({ redis, s3, bucket: env.ARCHIVE_BUCKET }, event);
    logger.info('archived', { ...archived });
    return archived;
  } catch (error) {
    logger.error('archive failed', { error: error as Error });
    throw error;
  }
};
