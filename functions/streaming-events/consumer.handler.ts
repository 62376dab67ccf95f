import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { consumeEvent } from './consume';

export interface ConsumerDeps {
  dynamodb: DynamoDBClient;
  tableName: string;
  logger: Pick<Logger, 'info' | 'debug' | 'warn' | 'error'>;
  now?: () => Date;
}

/**
 * EventBridge rule target, invoked asynchronously: a thrown error is retried by the target's retry
 * policy and then lands in its DLQ. One "event consumed" line per event, however often it arrives.
 */
export function consumer(deps: ConsumerDeps) {
  return async (busEvent: EventBridgeEvent<string, unknown>): Promise<void> => {
    try {
      const result = await consumeEvent(deps.dynamodb, deps.tableName, busEvent, deps.now);
      if (result.outcome === 'ignored') deps.logger.warn('event ignored', { busEventId: busEvent.id, reason: result.reason });
      else if (result.outcome === 'duplicate') deps.logger.debug('event already consumed', { busEventId: busEvent.id, eventId: result.event.eventId });
      else deps.logger.info('event consumed', { busEventId: busEvent.id, eventId: result.event.eventId, entityId: result.event.entityId, eventType: result.event.eventType, occurredAt: result.event.occurredAt });
    } catch (error) {
      deps.logger.error('event not consumed; the target retries it, then its DLQ keeps it', { busEventId: busEvent.id, error: error as Error });
      throw error;
    }
  };
}

const env = loadConfig(z.object({ CONSUMED_TABLE: z.string().check(z.minLength(1)) }));

export const handler = consumer({ dynamodb: new DynamoDBClient({}), tableName: env.CONSUMED_TABLE, logger: createLogger('streaming-events-consumer') });
