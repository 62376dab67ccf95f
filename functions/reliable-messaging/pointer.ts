import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import contract from './contract.json';

/** What the state machine carries instead of the payload (Step Functions caps state data at 256 KiB). */
export interface Pointer {
  messageId: string;
  redisKey: string;
  /** ISO 8601, when ingest accepted the request. */
  receivedAt: string;
  bytes: number;
  /** Hex SHA-256 of the payload's bytes. */
  sha256: string;
  contentType: string;
  /** The salvage object a replay re-submits. */
  replayOf?: string;
}

const idempotencyKey = new RegExp(contract.idempotencyKeyPattern);

export const isMessageId = (value: string): boolean => idempotencyKey.test(value);

export const redisKeyFor = (messageId: string): string => `${contract.redisKeyPrefix}${messageId}`;

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The execution's name: the message id, so a repeated request cannot start a second one. Names stay
 * taken for 90 days, so a replay gets its own name, derived from the salvage object it replays (a
 * redelivered replay is still a duplicate). At most 60 + 3 + 16 = 79 of Step Functions' 80 characters.
 */
export const executionNameFor = (messageId: string, replayOf?: string): string =>
  replayOf === undefined ? messageId : `${messageId}--r${sha256Hex(replayOf).slice(0, 16)}`;

export const pointerSchema = z.object({
  messageId: z.string().check(z.regex(idempotencyKey)),
  redisKey: z.string().check(z.minLength(1)),
  receivedAt: z.iso.datetime(),
  bytes: z.number().check(z.int(), z.minimum(1), z.maximum(contract.maxBodyBytes)),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  contentType: z.string().check(z.minLength(1)),
  replayOf: z.optional(z.string().check(z.minLength(1))),
});
