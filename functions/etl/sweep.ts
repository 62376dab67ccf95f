import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Ledger, type FileRef } from './ledger';
import { s3EventFor } from './s3-events';

export interface SweepOptions {
  bucket: string;
  prefix: string;
  ledgerTableName: string;
  queueUrl: string;
  /** Leave younger files to their own notification. */
  minAgeMs: number;
  maxFiles: number;
  now?: number;
}

/**
 * Finds the current version of every object under the prefix that the ledger has not seen finish,
 * and is not being loaded now, and queues an S3-style notification for it: a missed or lost
 * notification delays a file by one sweep, it never loses it.
 */
export async function sweep(clients: { s3: S3Client; dynamodb: DynamoDBClient; sqs: SQSClient }, options: SweepOptions): Promise<{ scanned: number; requeued: number }> {
  const now = options.now ?? Date.now();
  const ledger = new Ledger(clients.dynamodb, options.ledgerTableName);
  const due: FileRef[] = [];
  let scanned = 0;
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  let truncated = false;
  do {
    const page = await clients.s3.send(new ListObjectVersionsCommand({ Bucket: options.bucket, Prefix: options.prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
    for (const version of page.Versions ?? []) {
      if (!version.IsLatest || !version.Key || version.Key.endsWith('/')) continue;
      scanned += 1;
      if (now - (version.LastModified?.getTime() ?? now) < options.minAgeMs) continue;
      const file = { bucket: options.bucket, key: version.Key, versionId: version.VersionId === 'null' ? undefined : version.VersionId, etag: version.ETag?.replace(/"/g, '') };
      const entry = await ledger.get(file);
      if (entry?.status === 'DONE' || (entry?.status === 'IN_PROGRESS' && entry.leaseUntil > now)) continue;
      due.push(file);
      if (due.length >= options.maxFiles) break;
    }
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
    truncated = page.IsTruncated === true;
  } while (truncated && due.length < options.maxFiles);

  for (let i = 0; i < due.length; i += 10) {
    const batch = due.slice(i, i + 10);
    const { Failed = [] } = await clients.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: batch.map((file, j) => ({ Id: String(j), MessageBody: s3EventFor(file) })) }),
    );
    if (Failed.length > 0) throw new Error(`could not queue ${Failed.length} swept files: ${Failed.map((f) => f.Code).join(', ')}`);
  }
  return { scanned, requeued: due.length };
}
