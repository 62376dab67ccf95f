import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import contract from './contract.json';
import { describeError, putEnvelope, type S3Sender, type SalvageEnvelope } from './envelope';
import { executionNameFor, isMessageId, redisKeyFor, sha256Hex, type Pointer } from './pointer';
import type { RedisCommands } from './redis';

export interface IngestRequest {
  body: string | null | undefined;
  isBase64Encoded?: boolean;
  headers: Record<string, string | undefined> | null | undefined;
}

export interface IngestDeps {
  /** Connects lazily: a Redis that cannot be reached (or an unreadable AUTH token) is a Redis failure. */
  redis: () => Promise<RedisCommands>;
  sfn: Pick<SFNClient, 'send'>;
  s3: S3Sender;
  stateMachineArn: string;
  salvageBucket: string;
  now?: () => Date;
  newId?: () => string;
}

export type IngestOutcome = 'started' | 'duplicate' | 'salvaged' | 'unavailable' | 'rejected';

export interface IngestResult {
  statusCode: number;
  body: Record<string, unknown>;
  outcome: IngestOutcome;
  /** What failed, for the log, when the outcome is salvaged or unavailable. */
  errors?: { stage: string; name: string; message: string }[];
}

const MAX_REPLAY_OF_CHARS = 1024;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const reject = (statusCode: number, message: string): IngestResult => ({ statusCode, body: { message }, outcome: 'rejected' });

/** text/*, application/json and application/*+json, by media type (parameters and case ignored). */
export function acceptedMediaType(contentType: string | undefined): { mediaType: string; json: boolean } | undefined {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!mediaType) return undefined;
  if (mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) return { mediaType, json: true };
  if (/^text\/[a-z0-9.+-]+$/.test(mediaType)) return { mediaType, json: false };
  return undefined;
}

interface Accepted {
  messageId: string;
  replayOf?: string;
  bytes: Buffer;
  contentType: string;
  headers: Record<string, string>;
}

function validate(request: IngestRequest, newId: () => string): Accepted | IngestResult {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  const contentType = headers['content-type'];
  const media = acceptedMediaType(contentType);
  if (!contentType || !media) return reject(415, `Content-Type must be application/json (or application/*+json) or text/*, not ${contentType ?? 'missing'}`);
  const key = headers['idempotency-key'];
  if (key !== undefined && !isMessageId(key)) return reject(400, `Idempotency-Key must match ${contract.idempotencyKeyPattern}`);
  const replayOf = headers['x-replay-of'];
  if (replayOf !== undefined && (replayOf.length > MAX_REPLAY_OF_CHARS || !PRINTABLE_ASCII.test(replayOf))) {
    return reject(400, `X-Replay-Of must be a salvage object key (printable ASCII, at most ${MAX_REPLAY_OF_CHARS} characters)`);
  }
  if (replayOf !== undefined && key === undefined) return reject(400, 'X-Replay-Of needs the Idempotency-Key of the message it replays');
  const body = request.body ?? '';
  if (body.length === 0) return reject(400, 'The body is empty: send the message as the request body');
  // Count before converting, so an oversized body is refused without a second copy of it.
  const size = request.isBase64Encoded ? Math.floor((body.length * 3) / 4) : Buffer.byteLength(body, 'utf8');
  if (size > contract.maxBodyBytes + 2) return reject(413, `The body is ${size} bytes; at most ${contract.maxBodyBytes} bytes are accepted`);
  if (!request.isBase64Encoded && LONE_SURROGATE.test(body)) return reject(400, 'The body is not valid UTF-8 (it contains an unpaired surrogate)');
  const bytes = request.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > contract.maxBodyBytes) return reject(413, `The body is ${bytes.length} bytes; at most ${contract.maxBodyBytes} bytes are accepted`);
  if (bytes.length === 0) return reject(400, 'The body is empty: send the message as the request body');
  if (request.isBase64Encoded && !isUtf8(bytes)) return reject(400, 'The body is not valid UTF-8');
  if (media.json) {
    try {
      JSON.parse(request.isBase64Encoded ? bytes.toString('utf8') : body);
    } catch (error) {
      return reject(400, `The body is not valid JSON (Content-Type ${media.mediaType}): ${(error as Error).message}`);
    }
  }
  const kept = Object.fromEntries(['content-type', 'idempotency-key', 'x-replay-of'].flatMap((h) => (headers[h] === undefined ? [] : [[h, headers[h]!]])));
  return { messageId: key ?? newId(), ...(replayOf === undefined ? {} : { replayOf }), bytes, contentType, headers: kept };
}

/**
 * Stores the payload in Redis (SET NX EX) and starts the workflow, named by the message id, with a
 * pointer to it: a second request with the same id finds that execution and is a duplicate. When
 * Redis or Step Functions fails, the raw request goes to the salvage bucket and the client still gets
 * 202; 503 only if that fails too: then nothing was stored.
 */
export async function ingest(deps: IngestDeps, request: IngestRequest): Promise<IngestResult> {
  const accepted = validate(request, deps.newId ?? randomUUID);
  if ('statusCode' in accepted) return accepted;
  const { messageId, replayOf, bytes, contentType } = accepted;
  const executionName = executionNameFor(messageId, replayOf);
  const pointer: Pointer = {
    messageId,
    // A replay has its own key (named like its execution): a stale copy of the original message
    // must not make the replay look like a duplicate.
    redisKey: redisKeyFor(executionName),
    receivedAt: (deps.now?.() ?? new Date()).toISOString(),
    bytes: bytes.length,
    sha256: sha256Hex(bytes),
    contentType,
    ...(replayOf === undefined ? {} : { replayOf }),
  };
  const errors: NonNullable<IngestResult['errors']> = [];
  let redis: RedisCommands | undefined;
  // 'set': this request stored the payload; 'exists': the key was already there (NX refused).
  let stored: 'set' | 'exists' | undefined;
  try {
    redis = await deps.redis();
    stored = (await redis.set(pointer.redisKey, bytes, 'EX', contract.redisTtlSeconds, 'NX')) === 'OK' ? 'set' : 'exists';
  } catch (error) {
    errors.push({ stage: 'redis', ...describeError(error) });
  }
  if (stored !== undefined) {
    // Started even when the key was already there: an ingest that stored it and then died before
    // StartExecution left a key with no execution, and its client's retry must not be answered
    // "duplicate" with nothing running. Normally the execution exists (ExecutionAlreadyExists); if
    // the earlier body differed, the archive's checksum check fails and the salvage keeps it.
    try {
      const { executionArn } = await deps.sfn.send(new StartExecutionCommand({
        stateMachineArn: deps.stateMachineArn,
        name: executionName,
        input: JSON.stringify(pointer),
      }));
      return { statusCode: 202, body: { messageId, executionArn, duplicate: false }, outcome: 'started' };
    } catch (error) {
      const duplicate = error instanceof Error && error.name === 'ExecutionAlreadyExists';
      if (!duplicate) errors.push({ stage: 'start-execution', ...describeError(error) });
      // A key this request set goes either way: a duplicate leaves nothing behind, a salvaged
      // message is in S3 (and a replay stores it again). A key it found belongs to the execution.
      if (stored === 'set') {
        try {
          await redis!.del(pointer.redisKey);
        } catch (delError) {
          errors.push({ stage: 'redis-del', ...describeError(delError) });
        }
      }
      if (duplicate) return { statusCode: 202, body: { messageId, duplicate: true }, outcome: 'duplicate', ...(errors.length ? { errors } : {}) };
    }
  }
  const salvageKey = `${contract.salvagePrefixes.ingest}${messageId}/${pointer.receivedAt}.json`;
  const envelope: SalvageEnvelope = {
    messageId,
    receivedAt: pointer.receivedAt,
    contentType,
    bytes: pointer.bytes,
    sha256: pointer.sha256,
    stage: 'ingest',
    ...(replayOf === undefined ? {} : { replayOf }),
    headers: accepted.headers,
    error: { name: errors[0]?.name ?? 'Error', message: `${errors[0]?.stage ?? 'ingest'}: ${errors[0]?.message ?? 'unknown'}` },
    body: bytes.toString('utf8'),
  };
  try {
    await putEnvelope(deps.s3, deps.salvageBucket, salvageKey, envelope);
    return { statusCode: 202, body: { messageId, salvaged: true }, outcome: 'salvaged', errors };
  } catch (error) {
    errors.push({ stage: 'salvage', ...describeError(error) });
    return {
      statusCode: 503,
      body: { messageId, message: 'Nothing was stored: the message store and the salvage bucket both failed. Retry with the same Idempotency-Key.', retryable: true },
      outcome: 'unavailable',
      errors,
    };
  }
}
