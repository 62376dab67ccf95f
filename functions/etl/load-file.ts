import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriter } from '../lib/batch-writer';
import { readCsv } from './csv';
import { Ledger, LeaseLostError, fileId, type Checkpoint, type Counts, type FileRef, type LedgerEntry } from './ledger';
import { QuarantineWriter } from './quarantine';
import type { CsvSchema } from './schema-types';
import { compiledSchema } from './compile-schema';
import { headerProblems } from './validate';
import { listKeyVersions, type ObjectVersion } from './versions';

export interface EtlConfig {
  tableName: string;
  tableKeyAttributes: readonly string[];
  ledgerTableName: string;
  queueUrl: string;
  incomingPrefix: string;
  processedPrefix: string;
  supersededPrefix: string;
  quarantinePrefix: string;
  reportsPrefix: string;
  kmsKeyId?: string;
  /** Stop and hand over to a new invocation when less than this is left. */
  safetyMarginMs: number;
  writeConcurrency: number;
  /** Failed attempts after which a version is FAILED: the sweeper stops re-queuing it. */
  maxAttempts: number;
}

export interface EtlDeps {
  s3: S3Client;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  schema: CsvSchema;
  config: EtlConfig;
  remainingTimeMs: () => number;
  log: (message: string, fields: Record<string, unknown>) => void;
  now?: () => number;
  /** For tests: a writer with stubbed sleeps. */
  writerOptions?: Partial<ConstructorParameters<typeof BatchWriter>[1]>;
}

export type LoadOutcome =
  | { status: 'loaded'; counts: Counts; reportKey: string; quarantineKeys: string[]; calls: number; superseded: string[] }
  | { status: 'already-loaded' }
  | { status: 'superseded'; by: string }
  | { status: 'continued'; counts: Counts; nextLine: number }
  /** Another invocation holds this key (loading this or another version): try again later. */
  | { status: 'busy'; heldBy: string }
  /** A continuation whose hand-over was taken by someone else (a redelivery, or after its lease ran out). */
  | { status: 'stale-continuation' };

/** The file can never load as it is: retrying changes nothing. */
export class PermanentLoadError extends Error {
  override name = 'PermanentLoadError';
}

/** A load failed; `entry` is the ledger's record of it afterwards (status FAILED once terminal). */
export class LoadFailedError extends Error {
  override name = 'LoadFailedError';

  constructor(
    override readonly cause: Error,
    readonly entry: LedgerEntry,
  ) {
    super(`${cause.message} (attempt ${entry.attempts ?? '?'}${entry.status === 'FAILED' ? ', file now FAILED' : ''})`);
  }
}

const clock = (deps: EtlDeps) => (deps.now ?? Date.now)();
const relativeKey = (key: string, prefix: string) => (key.startsWith(prefix) ? key.slice(prefix.length) : key);
const versionTag = (file: FileRef) => (file.versionId ?? file.etag ?? 'unversioned').replace(/[^A-Za-z0-9._-]/g, '');
const copySource = (file: FileRef) => `${file.bucket}/${file.key.split('/').map(encodeURIComponent).join('/')}${file.versionId ? `?versionId=${encodeURIComponent(file.versionId)}` : ''}`;

/**
 * Loads one version of a CSV object into DynamoDB: streams it (never whole), validates and
 * transforms each row, writes valid rows in batches, quarantines every rejected row with its line
 * and reasons. Versions of one key load one at a time, in S3's order: a version older than one
 * already loaded is reported as superseded and changes no row; loading a version supersedes every
 * older one not loaded yet. Only what the ledger records as done or superseded leaves incoming/
 * (its exact version is deleted), so nothing unloaded is ever deleted. Near the time limit it
 * checkpoints and queues a continuation, so a file's size is bounded only by S3.
 */
export async function loadFile(deps: EtlDeps, file: FileRef, continuationToken?: string): Promise<LoadOutcome> {
  const ledger = new Ledger(deps.dynamodb, deps.config.ledgerTableName);
  const holder = randomUUID();
  const claim = await ledger.claim(file, holder, clock(deps), Math.max(deps.remainingTimeMs(), 60_000) + 60_000, continuationToken);
  if (claim.outcome === 'busy') return { status: 'busy', heldBy: claim.heldBy };
  if (claim.outcome === 'lost-continuation') return { status: 'stale-continuation' };

  let keepLock = false;
  try {
    const outcome = await loadClaimed(deps, ledger, holder, file, claim.entry);
    keepLock = outcome.status === 'continued';
    return outcome;
  } catch (error) {
    if (error instanceof LeaseLostError) throw error;
    const entry = await ledger.recordFailure(file, (error as Error).message, deps.config.maxAttempts, error instanceof PermanentLoadError);
    throw new LoadFailedError(error as Error, entry);
  } finally {
    if (!keepLock) await ledger.release(file, holder);
  }
}

async function loadClaimed(deps: EtlDeps, ledger: Ledger, holder: string, file: FileRef, entry: LedgerEntry | undefined): Promise<LoadOutcome> {
  const { config } = deps;
  const versions = file.versionId ? await listKeyVersions(deps.s3, file.bucket, file.key) : undefined;
  const position = versions?.findIndex((v) => v.versionId === file.versionId) ?? -1;
  const stillInIncoming = versions === undefined || position >= 0;

  if (entry?.status === 'DONE') {
    // Loaded before; a crash may have left the version in incoming/ (its processed/ copy exists).
    if (versions && stillInIncoming) await deleteVersion(deps.s3, file);
    return { status: 'already-loaded' };
  }
  if (entry?.status === 'SUPERSEDED') {
    if (versions && stillInIncoming) await moveVersion(deps, file, config.supersededPrefix);
    return { status: 'superseded', by: entry.supersededBy ?? 'a newer version' };
  }
  if (!stillInIncoming) {
    throw new PermanentLoadError(`${fileId(file)} is no longer in the bucket and was never loaded; nothing to load (was it deleted by hand?)`);
  }

  if (versions) {
    const newer = versions.slice(0, position).map((v) => versionRef(file, v));
    const entries = await ledger.getMany(newer);
    const loadedNewer = newer.find((v) => entries.get(fileId(v))?.status === 'DONE');
    if (loadedNewer) {
      await supersede(deps, ledger, file, loadedNewer);
      return { status: 'superseded', by: fileId(loadedNewer) };
    }
  }

  const result = await streamRows(deps, ledger, holder, file, entry?.checkpoint);
  if (result.status === 'continued') return result;

  const name = relativeKey(file.key, config.incomingPrefix);
  const reportKey = `${config.reportsPrefix}${name}/${versionTag(file)}.json`;
  const completedAt = new Date(clock(deps)).toISOString();
  await putJson(deps, file.bucket, reportKey, { file, status: 'loaded', schema: deps.schema.name, ...result.counts, headerProblems: result.headerProblems, quarantine: `${config.quarantinePrefix}${name}/${versionTag(file)}/`, completedAt });
  const isIncoming = file.key.startsWith(config.incomingPrefix);
  if (isIncoming) await copyTo(deps, file, config.processedPrefix);

  // Every older version still waiting in incoming/ will never be loaded now: say so, keep its data.
  const superseded: string[] = [];
  for (const older of versions?.slice(position + 1) ?? []) {
    const olderFile = versionRef(file, older);
    if (await supersede(deps, ledger, olderFile, file)) superseded.push(fileId(olderFile));
  }

  await ledger.complete(file, holder, result.counts, reportKey, completedAt);
  // An unversioned bucket keeps the object: a delete could remove a newer upload of the same key.
  if (isIncoming && versions) await deleteVersion(deps.s3, file);
  deps.log('file loaded', { file: fileId(file), ...result.counts, quarantined: result.quarantineKey, report: reportKey, superseded });
  return { status: 'loaded', counts: result.counts, reportKey, quarantineKeys: result.quarantineKey ? [result.quarantineKey] : [], calls: result.calls, superseded };
}

type StreamResult =
  | { status: 'done'; counts: Counts; headerProblems: string[]; quarantineKey?: string; calls: number }
  | { status: 'continued'; counts: Counts; nextLine: number };

/** Reads the version from its checkpoint (or the start) until its end or until time runs short. */
async function streamRows(deps: EtlDeps, ledger: Ledger, holder: string, file: FileRef, resume: Checkpoint | undefined): Promise<StreamResult> {
  const { s3, schema, config } = deps;
  const counts: Counts = resume ? { ...resume.counts } : { read: 0, loaded: 0, rejected: 0, filtered: 0 };
  const segment = (resume?.segment ?? -1) + 1;
  const name = relativeKey(file.key, config.incomingPrefix);
  const quarantine = new QuarantineWriter(s3, file.bucket, `${config.quarantinePrefix}${name}/${versionTag(file)}/rejected-${String(segment).padStart(4, '0')}.jsonl`, config.kmsKeyId);
  const rows = compiledSchema(schema);
  const writer = new BatchWriter(deps.dynamodb, { tableName: config.tableName, keyAttributes: config.tableKeyAttributes, concurrency: config.writeConcurrency, marshall: rows.wire, ...deps.writerOptions });

  const object = await s3.send(new GetObjectCommand({ Bucket: file.bucket, Key: file.key, VersionId: file.versionId, Range: resume ? `bytes=${resume.nextByte}-` : undefined }));
  const body = object.Body as Readable;
  let header = resume?.header;
  let badHeader: string[] = resume ? headerProblems(schema, resume.header) : [];
  let position = { nextByte: resume?.nextByte ?? 0, nextLine: resume?.nextLine ?? 1 };

  // The hand-off must happen whatever the reader is doing (a huge record, a stalled stream), so a
  // timer aborts it; the last complete record is the resume point.
  const timeUp = new AbortController();
  const timer = setTimeout(() => timeUp.abort(), Math.max(0, deps.remainingTimeMs() - config.safetyMarginMs));
  timeUp.signal.addEventListener('abort', () => body.destroy(), { once: true });
  try {
    for await (const event of readCsv(body, {
      header,
      firstLine: resume?.nextLine ?? 1,
      startByte: resume?.nextByte ?? 0,
      maxRecordBytes: schema.maxRecordBytes,
      encoding: schema.encoding,
      signal: timeUp.signal,
      onHeader: (columns) => {
        header = columns;
        badHeader = headerProblems(schema, columns);
      },
    })) {
      counts.read += 1;
      if (event.kind === 'invalid') {
        counts.rejected += 1;
        await quarantine.write({ line: event.line, reasons: [event.reason], raw: event.raw, rawBase64: event.rawBase64, truncated: event.truncated, startByte: event.startByte, endByte: event.endByte });
      } else {
        const result = badHeader.length > 0 ? { kind: 'rejected' as const, reasons: badHeader } : rows.row(event.values);
        if (result.kind === 'item') {
          await writer.put(result.item);
          counts.loaded += 1;
        } else if (result.kind === 'filtered') {
          counts.filtered += 1;
        } else {
          counts.rejected += 1;
          await quarantine.write({ line: event.line, reasons: result.reasons, values: event.values });
        }
      }
      position = { nextByte: event.endByte, nextLine: event.nextLine };
      if (deps.remainingTimeMs() < config.safetyMarginMs) timeUp.abort();
      if (timeUp.signal.aborted) break;
    }
  } catch (error) {
    if (!timeUp.signal.aborted) throw error; // a read cut short by the hand-off is expected
  } finally {
    clearTimeout(timer);
  }

  await writer.flush();
  const quarantineKey = await quarantine.close();

  if (timeUp.signal.aborted) {
    const token = randomUUID();
    const checkpoint: Checkpoint = { ...position, header: header ?? [], counts, segment };
    await ledger.checkpoint(file, holder, checkpoint, token);
    await deps.sqs.send(new SendMessageCommand({ QueueUrl: config.queueUrl, MessageBody: JSON.stringify({ etlContinuation: { file, token } }) }));
    deps.log('file continues in a new invocation', { file: fileId(file), segment, ...counts, nextLine: position.nextLine, nextByte: position.nextByte });
    return { status: 'continued', counts, nextLine: position.nextLine };
  }
  return { status: 'done', counts, headerProblems: badHeader, quarantineKey, calls: writer.stats.calls };
}

const versionRef = (file: FileRef, version: ObjectVersion): FileRef => ({ bucket: file.bucket, key: file.key, versionId: version.versionId, etag: version.etag });

/** Marks `file` superseded by `newer` (unless it was loaded), reports it and moves it out of incoming/. */
async function supersede(deps: EtlDeps, ledger: Ledger, file: FileRef, newer: FileRef): Promise<boolean> {
  const { config } = deps;
  const name = relativeKey(file.key, config.incomingPrefix);
  const reportKey = `${config.reportsPrefix}${name}/${versionTag(file)}.json`;
  const at = new Date(clock(deps)).toISOString();
  const current = await ledger.get(file);
  if (current?.status === 'DONE') {
    await deleteVersion(deps.s3, file); // its processed/ copy was made before it became DONE
    return false;
  }
  if (current?.status !== 'SUPERSEDED') {
    await putJson(deps, file.bucket, reportKey, { file, status: 'superseded', supersededBy: fileId(newer), rowsChanged: 0, at });
    await copyTo(deps, file, config.supersededPrefix);
  }
  const marked = await ledger.supersede(file, newer, reportKey, at);
  await deleteVersion(deps.s3, file);
  if (marked) deps.log('older version superseded: its rows are not loaded', { file: fileId(file), by: fileId(newer), report: reportKey });
  return marked;
}

async function moveVersion(deps: EtlDeps, file: FileRef, prefix: string): Promise<void> {
  await copyTo(deps, file, prefix);
  await deleteVersion(deps.s3, file);
}

async function copyTo(deps: EtlDeps, file: FileRef, prefix: string): Promise<void> {
  const { config } = deps;
  await deps.s3.send(
    new CopyObjectCommand({
      Bucket: file.bucket,
      Key: `${prefix}${relativeKey(file.key, config.incomingPrefix)}`,
      CopySource: copySource(file),
      ...(config.kmsKeyId && { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: config.kmsKeyId }),
    }),
  );
}

/** Deletes exactly this version (never a delete marker over newer versions of the key). */
async function deleteVersion(s3: S3Client, file: FileRef): Promise<void> {
  if (!file.versionId) throw new Error(`refusing to delete ${fileId(file)} without a version id`);
  await s3.send(new DeleteObjectCommand({ Bucket: file.bucket, Key: file.key, VersionId: file.versionId }));
}

async function putJson(deps: EtlDeps, bucket: string, key: string, body: unknown): Promise<void> {
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      ContentType: 'application/json',
      Body: JSON.stringify(body, null, 2),
      ...(deps.config.kmsKeyId && { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: deps.config.kmsKeyId }),
    }),
  );
}
