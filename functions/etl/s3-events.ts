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

interface S3EventRecord {
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; versionId?: string; eTag?: string } };
}

/**
 * What the ETL queue carries: S3 event notifications (from the bucket or from the sweeper), the
 * s3:TestEvent S3 sends when a notification is configured, or our own continuation messages.
 */
export function parseQueueMessage(body: string): QueueMessage {
  const message = JSON.parse(body) as { Event?: string; Records?: S3EventRecord[]; etlContinuation?: Continuation };
  if (message.Event === 's3:TestEvent') return { kind: 'test-event' };
  if (message.etlContinuation) return { kind: 'continuation', continuation: message.etlContinuation };
  if (!Array.isArray(message.Records)) throw new Error('not an S3 event notification, s3:TestEvent or ETL continuation');
  const files = message.Records.filter((r) => r.eventName?.startsWith('ObjectCreated')).map((r) => {
    const bucket = r.s3?.bucket?.name;
    const key = r.s3?.object?.key;
    if (!bucket || !key) throw new Error('S3 event record without bucket or key');
    return { bucket, key: decodeS3Key(key), versionId: r.s3?.object?.versionId, etag: r.s3?.object?.eTag };
  });
  return { kind: 'files', files };
}

/** The notification the sweeper sends for a file that never got one (or whose load was lost). */
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
