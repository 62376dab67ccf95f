import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import contract from '../../functions/reliable-messaging/contract.json';
import { salvageEnvelopeSchema } from '../../functions/reliable-messaging/envelope';
import { describeIssues } from '../../functions/lib/validation';

export interface ReplayRequest {
  body: string;
  headers: Record<string, string>;
}

export interface ReplayResponse {
  status: number;
  body: Record<string, unknown>;
}

export interface ReplayProgress {
  replayed: number;
  failed: number;
  elapsedMs: number;
}

export interface ReplayOptions {
  bucket: string;
  /** Where salvaged messages are (default: the contract's ingest and workflow prefixes). */
  prefixes?: string[];
  dryRun?: boolean;
  /** Stop after this many objects. */
  max?: number;
  /** POSTs one message to the API (signed, for an IAM-authorised API). */
  post: (request: ReplayRequest) => Promise<ReplayResponse>;
  signal?: AbortSignal;
  log?: (line: string) => void;
  onProgress?: (progress: ReplayProgress) => void;
  now?: () => number;
}

export interface ReplayResult {
  dryRun: boolean;
  /** Salvaged objects seen (all of them in a dry run; up to --max otherwise). */
  found: number;
  bytes: number;
  /** Accepted again: a new execution started (or already started by an earlier run: duplicate). */
  replayed: number;
  duplicates: number;
  /** The replay itself was salvaged again (a new salvage object exists; this one is done). */
  salvagedAgain: number;
  /** Left in place: unreadable, or the API refused it. */
  failed: number;
  stoppedBy?: 'max' | 'aborted';
  complete: boolean;
}

/** Where a replayed object goes, so a second run does not send it again and nothing is deleted. */
export const replayedKey = (key: string) => `${contract.replayedPrefix}${key}`;

async function* salvagedObjects(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<{ key: string; size: number }> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key) yield { key: object.Key, size: object.Size ?? 0 };
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * Re-submits every salvaged message through the API, with its message id as Idempotency-Key and the
 * salvage object's key as X-Replay-Of (the replay's execution is named from it, so sending the same
 * object twice is a duplicate, not a second message), then moves the object under replayed/.
 */
export async function replaySalvage(s3: S3Client, options: ReplayOptions): Promise<ReplayResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const log = options.log ?? (() => undefined);
  const result: ReplayResult = { dryRun: options.dryRun ?? false, found: 0, bytes: 0, replayed: 0, duplicates: 0, salvagedAgain: 0, failed: 0, complete: false };
  const prefixes = options.prefixes ?? [contract.salvagePrefixes.ingest, contract.salvagePrefixes.workflow];
  outer: for (const prefix of prefixes) {
    for await (const object of salvagedObjects(s3, options.bucket, prefix)) {
      if (options.signal?.aborted) {
        result.stoppedBy = 'aborted';
        break outer;
      }
      if (options.max !== undefined && result.found >= options.max) {
        result.stoppedBy = 'max';
        break outer;
      }
      result.found += 1;
      result.bytes += object.size;
      if (result.dryRun) continue;
      try {
        const text = await (await s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: object.key }))).Body!.transformToString('utf8');
        const parsed = salvageEnvelopeSchema.safeParse(JSON.parse(text));
        if (!parsed.success) throw new Error(`not a salvage envelope: ${describeIssues(parsed.error, 'envelope').join('; ')}`);
        const envelope = parsed.data;
        const response = await options.post({
          body: envelope.body,
          headers: { 'content-type': envelope.contentType, 'idempotency-key': envelope.messageId, 'x-replay-of': object.key },
        });
        if (response.status !== 202) throw new Error(`the API answered ${response.status}: ${JSON.stringify(response.body)}`);
        if (response.body.salvaged === true) result.salvagedAgain += 1;
        else if (response.body.duplicate === true) result.duplicates += 1;
        result.replayed += 1;
        await s3.send(new CopyObjectCommand({ Bucket: options.bucket, Key: replayedKey(object.key), CopySource: `${options.bucket}/${encodeURIComponent(object.key).replace(/%2F/g, '/')}` }));
        await s3.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: object.key }));
        log(`replayed ${object.key} -> ${JSON.stringify(response.body)}`);
      } catch (error) {
        result.failed += 1;
        log(`left in place: ${object.key}: ${errorText(error)}`);
      }
      options.onProgress?.({ replayed: result.replayed, failed: result.failed, elapsedMs: now() - started });
    }
  }
  result.complete = result.failed === 0 && result.stoppedBy !== 'aborted';
  return result;
}
