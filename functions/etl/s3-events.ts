import type { FileRef } from './ledger';

/** S3 keys in event notifications are form-encoded: '+' is a space, '%2B' a plus. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

export interface Continuation {
  file: FileRef;
  token: string;
}

export type QueueMessage =
  | { kind: 'files'; files: FileRef[] }
  | { kind: 'continuation'; continuation: Continuation }
  | { kind: 'test-event' };

/** A queue message that can never be processed as it is (it goes to the DLQ with this reason). */
export class MalformedMessageError extends Error {
  override name = 'MalformedMessageError';
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function fileRef(value: unknown, where: string): FileRef {
  if (!isObject(value)) throw new MalformedMessageError(`${where} must be an object with bucket and key`);
  const bucket = text(value.bucket);
  const key = text(value.key);
  if (!bucket || !key) throw new MalformedMessageError(`${where} needs a non-empty bucket and key`);
  return withOptional({ bucket, key }, text(value.versionId), text(value.etag));
}

function withOptional(file: FileRef, versionId: string | undefined, etag: string | undefined): FileRef {
  return { ...file, ...(versionId && { versionId }), ...(etag && { etag }) };
}

function s3Record(record: unknown, index: number): FileRef | undefined {
  const where = `Records[${index}]`;
  if (!isObject(record)) throw new MalformedMessageError(`${where} is not an object`);
  if (typeof record.eventName !== 'string' || !record.eventName.startsWith('ObjectCreated')) return undefined;
  const s3 = isObject(record.s3) ? record.s3 : {};
  const bucket = isObject(s3.bucket) ? text(s3.bucket.name) : undefined;
  const object = isObject(s3.object) ? s3.object : {};
  const key = text(object.key);
  if (!bucket || !key) throw new MalformedMessageError(`${where} (${record.eventName}) has no s3.bucket.name or s3.object.key`);
  let decoded: string;
  try {
    decoded = decodeS3Key(key);
  } catch {
    throw new MalformedMessageError(`${where}: s3.object.key "${key.slice(0, 200)}" is not a valid form-encoded key`);
  }
  return withOptional({ bucket, key: decoded }, text(object.versionId), text(object.eTag));
}

/**
 * What the ETL queue carries: S3 event notifications (from the bucket or from the sweeper), the
 * s3:TestEvent S3 sends when a notification is configured, or our own continuation messages.
 * Anything else is refused with a reason that names what is wrong.
 */
export function parseQueueMessage(body: string): QueueMessage {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    throw new MalformedMessageError(`queue message is not JSON: ${JSON.stringify(body.slice(0, 100))}`);
  }
  if (!isObject(message)) throw new MalformedMessageError(`queue message must be a JSON object, got ${message === null ? 'null' : Array.isArray(message) ? 'an array' : typeof message}`);
  if (message.Event === 's3:TestEvent') return { kind: 'test-event' };
  if ('etlContinuation' in message) {
    const continuation = message.etlContinuation;
    if (!isObject(continuation)) throw new MalformedMessageError('etlContinuation must be an object with file and token');
    const token = text(continuation.token);
    if (!token) throw new MalformedMessageError('etlContinuation.token is missing or empty');
    return { kind: 'continuation', continuation: { file: fileRef(continuation.file, 'etlContinuation.file'), token } };
  }
  if (!Array.isArray(message.Records)) throw new MalformedMessageError('not an S3 event notification (no Records array), s3:TestEvent or ETL continuation');
  const files = message.Records.map(s3Record).filter((file): file is FileRef => file !== undefined);
  return { kind: 'files', files };
}

/** The notification the sweeper sends for a version that never got one (or whose load was lost). */
export function s3EventFor(file: FileRef): string {
  return JSON.stringify({
    Records: [
      {
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Sweep',
        s3: { bucket: { name: file.bucket }, object: { key: encodeURIComponent(file.key), versionId: file.versionId, eTag: file.etag } },
      },
    ],
  });
}
