import { createLogger } from '../lib/logger';
import { cleanup } from './cleanup';
import { redisFromEnv } from './clients';

const redis = redisFromEnv();
const logger = createLogger('reliable-messaging-cleanup');

export const handler = async (event: unknown): Promise<{ messageId: string; deleted: number }> => {
  try {
    const result = await cleanup(redis, event);
    logger.info('redis copy deleted', { ...result });
    return result;
  } catch (error) {
    logger.error('cleanup failed', { error: error as Error });
    throw error;
  }
};
