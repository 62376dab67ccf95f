import { UpdateItemCommand, type DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { ValidationError } from '../lib/errors';
import { describeIssues } from '../lib/validation';
import contract from './contract.json';
import { putEnvelope, type S3Sender } from './envelope';
import { pointerSchema, sha256Hex } from './pointer';
import type { RedisCommands } from './redis';

export interface SalvageDeps {
  redis: () => Promise<RedisCommands>;
  s3: S3Sender;
  dynamodb: Pick<DynamoDBClient, 'send'>;
  salvageBucket: string;
  metadataTable: string;
  now?: () => Date;
}

// What the state machine hands over: its state at the catch (the pointer, the caught error, and what
// the Parallel stored if it got that far) and the execution's name.
const salvageEvent = z.object({
  executionName: z.string().check(z.minLength(1)),
  input: z.object({
    ...pointerSchema.shape,
    error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
    stored: z.optional(z.object({ archive: z.optional(z.object({ bucket: z.string(), key: z.string() })) })),
  }),
});

export interface SalvageResult {
  messageId: string;
  /** Where the payload went in the salvage bucket, when Redis still had it. */
  salvageKey?: string;
  /** The payload was neither in Redis nor archived: gone. */
  payloadLost: boolean;
  /** Archived already (the failure came after the Parallel) though no longer in Redis. */
  archivedKey?: string;
}

const MAX_CAUSE_CHARS = 4_000; // a Lambda error's cause can be 32 KB; the item keeps the start

const str = (value: string): AttributeValue => ({ S: value });

/**
 * The workflow's catch: copies the payload from Redis to the salvage bucket, records the failure on
 * the message's metadata item (status FAILED), then deletes the Redis key, so no failed execution
 * leaves the payload only in Redis. A payload no longer in Redis is recorded as lost (payloadLost).
 */
export async function salvage(deps: SalvageDeps, event: unknown): Promise<SalvageResult> {
  const parsed = salvageEvent.safeParse(event);
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.error, 'event'));
  const { executionName, input } = parsed.data;
  const redis = await deps.redis();
  const payload = await redis.getBuffer(input.redisKey);
  const error = { name: input.error?.Error ?? 'Unknown', message: (input.error?.Cause ?? '').slice(0, MAX_CAUSE_CHARS) };
  let result: SalvageResult;
  if (payload !== null) {
    const salvageKey = `${contract.salvagePrefixes.workflow}${input.messageId}/${executionName}.json`;
    await putEnvelope(deps.s3, deps.salvageBucket, salvageKey, {
      messageId: input.messageId,
      receivedAt: input.receivedAt,
      contentType: input.contentType,
      bytes: payload.length,
      sha256: sha256Hex(payload),
      stage: 'workflow',
      executionName,
      ...(input.replayOf === undefined ? {} : { replayOf: input.replayOf }),
      error,
      body: payload.toString('utf8'),
    });
    result = { messageId: input.messageId, salvageKey, payloadLost: false };
  } else {
    const archivedKey = input.stored?.archive?.key;
    result = { messageId: input.messageId, payloadLost: archivedKey === undefined, ...(archivedKey === undefined ? {} : { archivedKey }) };
  }
  const values: Record<string, AttributeValue> = {
    ':status': str('FAILED'),
    ':receivedAt': str(input.receivedAt),
    ':bytes': { N: String(input.bytes) },
    ':sha256': str(input.sha256),
    ':contentType': str(input.contentType),
    ':executionName': str(executionName),
    ':error': str(error.name),
    ':cause': str(error.message || '(none)'),
    ':failedAt': str((deps.now?.() ?? new Date()).toISOString()),
    ':payloadLost': { BOOL: result.payloadLost },
    ...(result.salvageKey ? { ':salvageKey': str(result.salvageKey) } : {}),
  };
  const set = ['#status = :status', 'receivedAt = :receivedAt', 'bytes = :bytes', 'sha256 = :sha256', 'contentType = :contentType',
    'executionName = :executionName', '#error = :error', '#cause = :cause', 'failedAt = :failedAt', 'payloadLost = :payloadLost',
    ...(result.salvageKey ? ['salvageKey = :salvageKey'] : [])];
  await deps.dynamodb.send(new UpdateItemCommand({
    TableName: deps.metadataTable,
    Key: { [contract.metadataKey]: str(input.messageId) },
    UpdateExpression: `SET ${set.join(', ')}`,
    ExpressionAttributeNames: { '#status': 'status', '#error': 'error', '#cause': 'cause' },
    ExpressionAttributeValues: values,
  }));
  // Last: until the salvage copy and the record exist, the Redis copy is the only one.
  if (payload !== null) await redis.del(input.redisKey);
  return result;
}
