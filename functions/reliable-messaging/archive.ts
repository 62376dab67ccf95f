import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ValidationError } from '../lib/errors';
import { describeIssues } from '../lib/validation';
import contract from './contract.json';
import { ChecksumMismatchError, PayloadMissingError } from './errors';
import { pointerSchema, sha256Hex, type Pointer } from './pointer';
import type { RedisCommands } from './redis';

export interface ArchiveDeps {
  redis: () => Promise<RedisCommands>;
  s3: Pick<S3Client, 'send'>;
  bucket: string;
}

export interface Archived {
  bucket: string;
  key: string;
  versionId: string | null;
  sha256: string;
  bytes: number;
}

export function parsePointer(input: unknown): Pointer {
  const result = pointerSchema.safeParse(input);
  if (!result.success) throw new ValidationError(describeIssues(result.error, 'pointer'));
  return result.data;
}

export const archiveKeyFor = (messageId: string): string => `${contract.archivePrefix}${messageId}`;

const isNotFound = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchKey' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404);

/**
 * Copies the payload from Redis to the archive bucket, under a key fixed by the message id, after
 * checking it is the payload the pointer describes; S3 checks the same SHA-256 on arrival. A retried
 * or redriven task finds the object already there (same checksum) and writes no second version.
 */
export async function archive(deps: ArchiveDeps, input: unknown): Promise<Archived> {
  const pointer = parsePointer(input);
  const key = archiveKeyFor(pointer.messageId);
  const done = { bucket: deps.bucket, key, sha256: pointer.sha256, bytes: pointer.bytes };
  try {
    const head = await deps.s3.send(new HeadObjectCommand({ Bucket: deps.bucket, Key: key }));
    if (head.Metadata?.sha256 === pointer.sha256) return { ...done, versionId: head.VersionId ?? null };
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const payload = await (await deps.redis()).getBuffer(pointer.redisKey);
  if (payload === null) throw new PayloadMissingError(`${pointer.redisKey} is not in Redis (expired or deleted); message ${pointer.messageId} cannot be archived`);
  const sha256 = sha256Hex(payload);
  if (payload.length !== pointer.bytes || sha256 !== pointer.sha256) {
    throw new ChecksumMismatchError(`${pointer.redisKey} holds ${payload.length} bytes with SHA-256 ${sha256}, the pointer says ${pointer.bytes} bytes with ${pointer.sha256}`);
  }
  const put = await deps.s3.send(new PutObjectCommand({
    Bucket: deps.bucket,
    Key: key,
    Body: payload,
    ContentType: pointer.contentType,
    ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
    Metadata: { sha256, 'message-id': pointer.messageId, 'received-at': pointer.receivedAt },
  }));
  return { ...done, versionId: put.VersionId ?? null };
}
