import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createLogger } from '../lib/logger';
import { ValidationError } from '../lib/errors';
import { logMessage, processMessage, type MessageHandler } from './process-message';

const logger = createLogger('storage-first-processor');

export function toStoredRecord(record: SQSRecord) {
  return {
    messageId: record.messageId,
    body: record.body,
    apiRequestId: record.messageAttributes?.apiRequestId?.stringValue,
    receiveCount: Number(record.attributes?.ApproximateReceiveCount),
  };
}

/** Why a record failed, in words a person can act on; never throws, whatever was thrown. */
export function failureReasons(error: unknown): string[] {
  if (error instanceof ValidationError) return error.reasons;
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return [`the handler ran out of stack (${error.message}): the message is probably nested too deeply for it`];
  }
  if (error instanceof Error) return [`${error.name}: ${error.message}`];
  try {
    return [`non-Error thrown: ${JSON.stringify(error) ?? String(error)}`];
  } catch {
    return ['non-Error thrown that cannot be shown'];
  }
}

/**
 * Reports only the records that failed: they stay in the queue, are retried, and reach the DLQ after
 * maxReceiveCount receives. Nothing is dropped.
 */
export function createHandler(handle: MessageHandler = logMessage) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const processor = new BatchProcessor(EventType.SQS);
    const processRecord = async (record: SQSRecord) => {
      const stored = toStoredRecord(record);
      try {
        await processMessage(stored, { logger, handle });
      } catch (error) {
        const reasons = failureReasons(error);
        logger.error('message failed; it stays in the queue for a retry or the DLQ', {
          messageId: stored.messageId,
          apiRequestId: stored.apiRequestId,
          receiveCount: stored.receiveCount,
          reasons,
        });
        throw error instanceof Error ? error : new Error(reasons.join('; '));
      }
    };
    // A batch where every record failed is reported record by record too, not thrown: the records are
    // retried the same way, and the Errors metric keeps meaning "the function itself broke".
    const response = await processPartialResponse(event, processRecord, processor, { throwOnFullBatchFailure: false });
    logger.info('batch done', { records: event.Records.length, failed: response.batchItemFailures.length });
    return response;
  };
}

export const handler = createHandler();
