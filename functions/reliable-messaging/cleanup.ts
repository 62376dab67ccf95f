import * as z from 'zod/mini';
import { ValidationError } from '../lib/errors';
import { describeIssues } from '../lib/validation';
import contract from './contract.json';
import type { RedisCommands } from './redis';

const cleanupInput = z.object({ messageId: z.string().check(z.minLength(1)), redisKey: z.string().check(z.startsWith(contract.redisKeyPrefix)) });

/** Deletes the message's Redis copy once it is archived; a key already gone (a retry) is fine. */
export async function cleanup(redis: () => Promise<RedisCommands>, input: unknown): Promise<{ messageId: string; deleted: number }> {
  const result = cleanupInput.safeParse(input);
  if (!result.success) throw new ValidationError(describeIssues(result.error, 'input'));
  const deleted = await (await redis()).del(result.data.redisKey);
  return { messageId: result.data.messageId, deleted };
}
