import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { countNote } from './count-note';
import type { CountRequest } from './note';

const env = loadConfig(z.object({ TABLE_NAME: z.string().check(z.minLength(1)) }));
const logger = createLogger('notes-word-count');
const dynamodb = new DynamoDBClient({});

// `content` is what requests sent before they became pointers carried: accepted (a DLQ redrive of
// old messages still works) and ignored, the counter reads the note.
const countRequest = z.strictObject({ noteId: z.string().check(z.minLength(1)), version: z.number().check(z.int(), z.positive()), content: z.optional(z.string()) });

export function parseCountRequest(body: string): CountRequest {
  const { noteId, version } = countRequest.parse(JSON.parse(body));
  return { noteId, version };
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> =>
  processPartialResponse(
    event,
    async (record: SQSRecord) => {
      try {
        const request = parseCountRequest(record.body);
        const { outcome, words, reason } = await countNote(dynamodb, env.TABLE_NAME, request);
        logger.info(outcome === 'counted' ? 'word count written' : 'stale or duplicate request: nothing written', { noteId: request.noteId, version: request.version, words, reason });
      } catch (error) {
        logger.error('count failed; the message stays in the queue for a retry or the DLQ', { messageId: record.messageId, error: error as Error });
        throw error;
      }
    },
    new BatchProcessor(EventType.SQS),
    { throwOnFullBatchFailure: false },
  );
