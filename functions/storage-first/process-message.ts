import type { Logger } from '@aws-lambda-powertools/logger';
import { parseMessage, type Message } from './message';

export interface StoredRecord {
  messageId: string;
  body: string;
  /** Id of the API request that stored the message (the apiRequestId message attribute). */
  apiRequestId?: string;
  receiveCount: number;
}

export interface MessageContext {
  messageId: string;
  apiRequestId?: string;
  receiveCount: number;
  logger: Logger;
}

/** What to do with a valid message. Replace it with your own logic; throw to have it retried. */
export type MessageHandler = (message: Message, context: MessageContext) => Promise<void>;

export interface ProcessDeps {
  logger: Logger;
  handle: MessageHandler;
}

/**
 * Logged as is. The logger deep-merges plain objects into its entry and skips "__proto__" and
 * "constructor" keys on the way; it leaves class instances alone, and JSON.stringify then writes what
 * toJSON returns, every own key included.
 */
class VerbatimJson {
  constructor(private readonly value: unknown) {}
  toJSON(): unknown {
    return this.value;
  }
}

/** The default handler does what the pattern asks of a processor: it records the message in the log. */
export const logMessage: MessageHandler = async (message, { logger, messageId, apiRequestId }) => {
  // "message" is a reserved key of the Powertools logger, hence storedMessage.
  logger.info('message processed', { messageId, apiRequestId, type: message.type, id: message.id, storedMessage: new VerbatimJson(message) });
};

/** Parses and validates one stored record, then hands it to the handler. Throws on any failure. */
export async function processMessage(record: StoredRecord, deps: ProcessDeps): Promise<void> {
  const message = parseMessage(record.body);
  await deps.handle(message, {
    messageId: record.messageId,
    apiRequestId: record.apiRequestId,
    receiveCount: record.receiveCount,
    logger: deps.logger,
  });
}
