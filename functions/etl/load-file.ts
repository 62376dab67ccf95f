import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriter } from '../lib/batch-writer';
import { readCsv } from './csv';
import { Ledger, fileId, type Checkpoint, type Counts, type FileRef } from './ledger';
import { QuarantineWriter } from './quarantine';
import type { CsvSchema } from './schema-types';
import { headerProblems, validateRow } from './validate';

export interface EtlConfig {
  tableName: string;
  tableKeyAttributes: readonly string[];
  ledgerTableName: string;
  queueUrl: string;
  incomingPrefix: string;
  processedPrefix: string;
  quarantinePrefix: string;
  reportsPrefix: string;
  kmsKeyId?: string;
  /** Stop and hand over to a new invocation when less than this is left. */
  safetyMarginMs: number;
  writeConcurrency: number;
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
  | { status: 'loaded'; counts: Counts; reportKey: string; quarantineKeys: string[]; calls: number }
  | { status: 'already-loaded' }
  | { status: 'continued'; counts: Counts; nextLine: number };

const relativeKey = (key: string, prefix: string) => (key.startsWith(prefix) ? key.slice(prefix.length) : key);
const versionTag = (file: FileRef) => (file.versionId ?? file.etag ?? 'unversioned').replace(/[^A-Za-z0-9._-]/g, '');

/**
 * Loads one CSV object into DynamoDB: streams it (never whole), validates and transforms each row,
 * writes valid rows in batches, quarantines every rejected row with its line and reasons, and
 * records the file in the ledger so each version loads once. Near the time limit it checkpoints and
 * queues a continuation instead of failing, so a file's size is bounded only by S3.
 */
export async function loadFile(deps: EtlDeps, file: FileRef, continuationToken?: string): Promise<LoadOutcome> {
  const { s3, dynamodb, sqs, schema, config } = deps;
  const now = deps.now ?? Date.now;
  const ledger = new Ledger(dynamodb, config.ledgerTableName);
  const claim = await ledger.claim(file, now(), Math.max(deps.remainingTimeMs(), 60_000), continuationToken);
  if (claim.outcome === 'done') return { status: 'already-loaded' };
  if (claim.outcome === 'busy') throw new Error(`${fileId(file)} is being loaded by another invocation; retry later`);

  const resume: Checkpoint | undefined = claim.checkpoint;
  const counts: Counts = resume ? { ...resume.counts } : { read: 0, loaded: 0, rejected: 0, filtered: 0 };
  const segment = (resume?.segment ?? -1) + 1;
  const name = relativeKey(file.key, config.incomingPrefix);
  const quarantine = new QuarantineWriter(s3, file.bucket, `${config.quarantinePrefix}${name}/${versionTag(file)}/rejected-${String(segment).padStart(4, '0')}.jsonl`, config.kmsKeyId);
  const writer = new BatchWriter(dynamodb, { tableName: config.tableName, keyAttributes: config.tableKeyAttributes, concurrency: config.writeConcurrency, ...deps.writerOptions });

  const object = await s3.send(
    new GetObjectCommand({ Bucket: file.bucket, Key: file.key, VersionId: file.versionId, Range: resume ? `bytes=${resume.nextByte}-` : undefined }),
  );
  const body = object.Body as Readable;
  let header = resume?.header;
  let badHeader: string[] = [];
  let position = { nextByte: resume?.nextByte ?? 0, nextLine: resume?.nextLine ?? 2 };
  let handedOver = false;

  for await (const event of readCsv(body, {
    header,
    firstLine: resume?.nextLine ?? 1,
    startByte: resume?.nextByte ?? 0,
    onHeader: (columns) => {
      header = columns;
      badHeader = headerProblems(schema, columns);
    },
  })) {
    counts.read += 1;
    if (event.kind === 'invalid') {
      counts.rejected += 1;
      await quarantine.write({ line: event.line, reasons: [event.reason], raw: event.raw });
    } else {
      const result = badHeader.length > 0 ? { kind: 'rejected' as const, reasons: badHeader } : validateRow(schema, event.values);
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
    if (counts.read % 100 === 0 && deps.remainingTimeMs() < config.safetyMarginMs) {
      handedOver = true;
      body.destroy();
      break;
    }
  }

  await writer.flush();
  const quarantineKey = await quarantine.close();

  if (handedOver) {
    const token = randomUUID();
    await ledger.checkpoint(file, { ...position, header: header ?? [], counts, segment }, token);
    await sqs.send(new SendMessageCommand({ QueueUrl: config.queueUrl, MessageBody: JSON.stringify({ etlContinuation: { file, token } }) }));
    deps.log('file continues in a new invocation', { file: fileId(file), segment, ...counts, nextLine: position.nextLine, nextByte: position.nextByte });
    return { status: 'continued', counts, nextLine: position.nextLine };
  }

  const reportKey = `${config.reportsPrefix}${name}/${versionTag(file)}.json`;
  await s3.send(
    new PutObjectCommand({
      Bucket: file.bucket,
      Key: reportKey,
      ContentType: 'application/json',
      Body: JSON.stringify({ file, schema: schema.name, ...counts, headerProblems: badHeader, quarantine: `${config.quarantinePrefix}${name}/${versionTag(file)}/`, completedAt: new Date(now()).toISOString() }, null, 2),
      ...(config.kmsKeyId && { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: config.kmsKeyId }),
    }),
  );
  if (file.key.startsWith(config.incomingPrefix)) {
    const source = `${file.bucket}/${file.key.split('/').map(encodeURIComponent).join('/')}${file.versionId ? `?versionId=${encodeURIComponent(file.versionId)}` : ''}`;
    await s3.send(new CopyObjectCommand({ Bucket: file.bucket, Key: `${config.processedPrefix}${name}`, CopySource: source, ...(config.kmsKeyId && { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: config.kmsKeyId }) }));
    await s3.send(new DeleteObjectCommand({ Bucket: file.bucket, Key: file.key }));
  }
  await ledger.complete(file, counts, reportKey);
  deps.log('file loaded', { file: fileId(file), segments: segment + 1, ...counts, quarantined: quarantineKey, report: reportKey });
  return { status: 'loaded', counts, reportKey, quarantineKeys: quarantineKey ? [quarantineKey] : [], calls: writer.stats.calls };
}
