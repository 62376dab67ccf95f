import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { batchEntries } from '../lib/sqs-batches';
import { Ledger, fileId, type FileRef } from './ledger';
import { s3EventFor } from './s3-events';

export interface SweepOptions {
  bucket: string;
  prefix: string;
  ledgerTableName: string;
  queueUrl: string;
  /** Leave younger versions to their own notification. */
  minAgeMs: number;
  maxFiles: number;
  now?: number;
}

export interface SweepResult {
  /** Object versions seen under the prefix. */
  scanned: number;
  /** Versions queued: never loaded, interrupted, or loaded but not yet removed from the prefix. */
  requeued: number;
  /** Versions left alone because they FAILED repeatedly (they wait for a DLQ redrive). */
  failed: number;
}

/**
 * Finds every object version under the prefix (not only the latest: an older version whose
 * notification was lost is still data) that the ledger does not record as finished, and queues
 * an S3-style notification for it. A missed notification delays a version by one sweep, it never
 * loses it. Versions the ledger marks FAILED are skipped, so a file that cannot load is not retried
 * every sweep forever.
 */
export async function sweep(clients: { s3: S3Client; dynamodb: DynamoDBClient; sqs: SQSClient }, options: SweepOptions): Promise<SweepResult> {
  const now = options.now ?? Date.now();
  const ledger = new Ledger(clients.dynamodb, options.ledgerTableName);
  const due: FileRef[] = [];
  let scanned = 0;
  let failed = 0;
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  let truncated = false;
  do {
    const page = await clients.s3.send(new ListObjectVersionsCommand({ Bucket: options.bucket, Prefix: options.prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
    const candidates: FileRef[] = [];
    for (const version of page.Versions ?? []) {
      if (!version.Key || version.Key.endsWith('/')) continue;
      scanned += 1;
      if (now - (version.LastModified?.getTime() ?? now) < options.minAgeMs) continue;
      candidates.push({ bucket: options.bucket, key: version.Key, versionId: version.VersionId === 'null' ? undefined : version.VersionId, etag: version.ETag?.replace(/"/g, '') });
    }
    const entries = await ledger.getMany(candidates);
    for (const file of candidates) {
      const entry = entries.get(fileId(file));
      if (entry?.status === 'FAILED') {
        failed += 1;
        continue;
      }
      // DONE or SUPERSEDED but still here: the load was interrupted after recording it; the loader
      // only finishes the move (unversioned buckets keep loaded objects, so those are skipped).
      if ((entry?.status === 'DONE' || entry?.status === 'SUPERSEDED') && !file.versionId) continue;
      if (due.length < options.maxFiles) due.push(file);
    }
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
    truncated = page.IsTruncated === true;
  } while (truncated && due.length < options.maxFiles);

  const { batches, tooLarge } = batchEntries(due.map((file) => ({ MessageBody: s3EventFor(file) })));
  if (tooLarge.length > 0) throw new Error(`${tooLarge.length} swept notifications exceed ${tooLarge[0]!.limit} bytes`);
  for (const batch of batches) {
    const { Failed = [] } = await clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: batch.map((entry, j) => ({ Id: String(j), ...entry })) }));
    if (Failed.length > 0) throw new Error(`could not queue ${Failed.length} swept versions: ${Failed.map((f) => `${f.Code}: ${f.Message ?? ''}`).join(', ')}`);
  }
  return { scanned, requeued: due.length, failed };
}
