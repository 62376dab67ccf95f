import { PassThrough, Readable } from 'node:stream';
import { expect } from 'chai';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { Ledger, type FileRef } from '../../functions/etl/ledger';
import { loadFile, type EtlConfig, type EtlDeps, type LoadOutcome } from '../../functions/etl/load-file';
import { parseQueueMessage } from '../../functions/etl/s3-events';
import { schema } from '../../functions/etl/schema';
import { sweep } from '../../functions/etl/sweep';
import { csvOf, goodRow } from '../support/etl-fixtures';
import { createEtlResources } from '../support/etl-moto';
import { useMoto } from '../support/moto';

const BUCKET = 'etl-versions';

/** A valid row of order n whose quantity is q: versions of one file differ only in quantities. */
const rowWithQuantity = (n: number, q: number) => goodRow(n).replace(/^([^,]*,[^,]*,[^,]*,[^,]*,)\d+,/, `$1${q},`);

describe('ETL object versions, order and leases (moto)', function () {
  this.timeout(120_000);
  useMoto();
  let s3: S3Client;
  let dynamodb: DynamoDBClient;
  let sqs: SQSClient;
  let config: EtlConfig;

  before(async function () {
    s3 = new S3Client({ forcePathStyle: true });
    dynamodb = new DynamoDBClient({});
    sqs = new SQSClient({});
    config = await createEtlResources({ s3, dynamodb, sqs }, BUCKET, 'etl-versions');
  });

  const deps = (overrides: Partial<EtlDeps> = {}): EtlDeps => ({ s3, dynamodb, sqs, schema, config, remainingTimeMs: () => 900_000, log: () => {}, ...overrides });

  async function upload(key: string, body: string): Promise<FileRef> {
    const { VersionId } = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    return { bucket: BUCKET, key, versionId: VersionId };
  }

  async function quantityOf(n: number): Promise<number | undefined> {
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: 'orders', Key: marshall({ pk: `ORDER#ORD-${100000 + n}`, sk: 'LINE#001' }), ConsistentRead: true }));
    return Item ? Number(unmarshall(Item).quantity) : undefined;
  }

  async function versionsUnder(prefix: string) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: prefix }));
    return { versions: page.Versions ?? [], deleteMarkers: page.DeleteMarkers ?? [] };
  }

  async function statusOf(file: FileRef): Promise<string | undefined> {
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: 'ledger', Key: marshall({ fileId: `s3://${file.bucket}/${file.key}#${file.versionId}` }), ConsistentRead: true }));
    return Item ? String(unmarshall(Item).status) : undefined;
  }

  /** Runs the sweeper, then loads every version it queued, in the order given by `order`. */
  async function sweepAndLoad(prefix: string, order: (files: FileRef[]) => FileRef[] = (f) => f): Promise<{ queued: FileRef[]; outcomes: LoadOutcome[] }> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `sweep-${Date.now()}` }));
    await sweep({ s3, dynamodb, sqs }, { bucket: BUCKET, prefix, ledgerTableName: 'ledger', queueUrl: QueueUrl!, minAgeMs: 0, maxFiles: 100 });
    const queued: FileRef[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      if (Messages.length === 0) break;
      for (const m of Messages) {
        const message = parseQueueMessage(m.Body!);
        if (message.kind === 'files') queued.push(...message.files);
      }
    }
    const outcomes: LoadOutcome[] = [];
    for (const file of order(queued)) outcomes.push(await loadFile(deps(), file));
    return { queued, outcomes };
  }

  it('a newer version whose notification was lost is still loaded: loading an older one deletes only that version, never puts a delete marker over the newer', async function () {
    const v1 = await upload('incoming/lost/a.csv', csvOf([rowWithQuantity(1, 1)]));
    const v2 = await upload('incoming/lost/a.csv', csvOf([rowWithQuantity(1, 2)]));

    expect((await loadFile(deps(), v1)).status).to.equal('loaded'); // only v1's notification arrived
    expect(await quantityOf(1)).to.equal(1);
    const after = await versionsUnder('incoming/lost/');
    expect(after.deleteMarkers, 'no delete marker in incoming/').to.have.length(0);
    expect(after.versions.map((v) => v.VersionId)).to.deep.equal([v2.versionId]);

    const { queued } = await sweepAndLoad('incoming/lost/');
    expect(queued.map((f) => f.versionId)).to.deep.equal([v2.versionId]);
    expect(await quantityOf(1)).to.equal(2);
    expect(await statusOf(v1)).to.equal('DONE');
    expect(await statusOf(v2)).to.equal('DONE');
    expect((await versionsUnder('incoming/lost/')).versions).to.have.length(0);
  });

  it('an older version delivered after a newer one was loaded is reported as superseded and changes no row', async function () {
    const v1 = await upload('incoming/order/b.csv', csvOf([rowWithQuantity(2, 1), rowWithQuantity(3, 1)]));
    const v2 = await upload('incoming/order/b.csv', csvOf([rowWithQuantity(2, 2), rowWithQuantity(3, 2)]));

    const newer = await loadFile(deps(), v2);
    expect(newer.status).to.equal('loaded');
    const older = await loadFile(deps(), v1); // e.g. a retry after the visibility timeout, or a DLQ redrive

    expect(older.status).to.equal('superseded');
    expect([await quantityOf(2), await quantityOf(3)]).to.deep.equal([2, 2]);
    expect(await statusOf(v1)).to.equal('SUPERSEDED');
    const report = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `reports/order/b.csv/${v1.versionId}.json` }))).Body!.transformToString()) as { status: string; rowsChanged: number };
    expect(report).to.deep.include({ status: 'superseded', rowsChanged: 0 });
    // Its data is kept (superseded/), and nothing is left in incoming/.
    expect((await versionsUnder('superseded/order/')).versions).to.have.length(1);
    expect((await versionsUnder('incoming/order/')).versions).to.have.length(0);
  });

  it('the sweeper finds every version no load finished, and loading them in any order ends with the newest values', async function () {
    const files = [];
    for (const q of [1, 2, 3]) files.push(await upload('incoming/sweep/c.csv', csvOf([rowWithQuantity(4, q)])));

    const { queued, outcomes } = await sweepAndLoad('incoming/sweep/', (f) => [...f].reverse()); // oldest first (the sweeper lists newest first)
    expect(new Set(queued.map((f) => f.versionId))).to.deep.equal(new Set(files.map((f) => f.versionId)));
    expect(await quantityOf(4)).to.equal(3);
    const statuses = await Promise.all(files.map(statusOf));
    expect(statuses.every((s) => s === 'DONE' || s === 'SUPERSEDED'), statuses.join()).to.equal(true);
    expect(statuses[2]).to.equal('DONE');
    expect(outcomes.filter((o) => o.status === 'loaded').length + outcomes.filter((o) => o.status === 'superseded').length).to.equal(3);
    expect((await versionsUnder('incoming/sweep/')).versions).to.have.length(0);
  });

  it('newest first: loading the newest supersedes the older versions still waiting, each loaded once or superseded', async function () {
    const files = [];
    for (const q of [1, 2, 3]) files.push(await upload('incoming/newest/d.csv', csvOf([rowWithQuantity(5, q)])));
    const first = await loadFile(deps(), files[2]!);
    expect(first.status).to.equal('loaded');
    if (first.status === 'loaded') expect(first.superseded).to.have.length(2);
    for (const older of files.slice(0, 2)) expect((await loadFile(deps(), older)).status).to.equal('superseded');
    expect(await quantityOf(5)).to.equal(3);
  });

  it('a second loader of a key being loaded answers busy (not an error that would end in the DLQ)', async function () {
    const file = await upload('incoming/busy/e.csv', csvOf([goodRow(6)]));
    const ledger = new Ledger(dynamodb, 'ledger');
    const first = await ledger.claim(file, 'first-invocation', Date.now(), 600_000);
    expect(first.outcome).to.equal('claimed');

    const second = await loadFile(deps(), file);
    expect(second.status).to.equal('busy');
    expect(await quantityOf(6)).to.equal(undefined);

    await ledger.release(file, 'first-invocation');
    expect((await loadFile(deps(), file)).status).to.equal('loaded');
  });

  it('checkpoint and complete succeed only for the current lease holder', async function () {
    const file = await upload('incoming/lease/f.csv', csvOf([goodRow(7)]));
    const ledger = new Ledger(dynamodb, 'ledger');
    const now = Date.now();
    expect((await ledger.claim(file, 'A', now, 1_000)).outcome).to.equal('claimed');
    expect((await ledger.claim(file, 'B', now + 500, 1_000)).outcome, 'lease still valid').to.equal('busy');
    expect((await ledger.claim(file, 'B', now + 5_000, 60_000)).outcome, 'lease of A ran out').to.equal('claimed');

    const counts = { read: 1, loaded: 1, rejected: 0, filtered: 0 };
    let error: unknown;
    await ledger.checkpoint(file, 'A', { nextByte: 10, nextLine: 2, header: [], counts, segment: 0 }, 'token').catch((e: unknown) => (error = e));
    expect((error as Error)?.name).to.equal('LeaseLostError');
    error = undefined;
    await ledger.complete(file, 'A', counts, 'reports/x.json', new Date().toISOString()).catch((e: unknown) => (error = e));
    expect((error as Error)?.name).to.equal('LeaseLostError');
    expect(await statusOf(file)).to.equal('IN_PROGRESS');
    await ledger.complete(file, 'B', counts, 'reports/x.json', new Date().toISOString());
    expect(await statusOf(file)).to.equal('DONE');
  });

  it('a file that fails the same way repeatedly ends FAILED, and the sweeper stops re-queuing it', async function () {
    const file = await upload('incoming/failing/g.csv', csvOf([goodRow(8)]));
    const broken = deps({ config: { ...config, tableName: 'no-such-table' }, writerOptions: { maxAttempts: 1 } });
    const errors: Error[] = [];
    for (let attempt = 0; attempt < 3; attempt++) await loadFile(broken, file).catch((e: Error) => errors.push(e));
    expect(errors).to.have.length(3);
    expect(errors[2]!.message).to.match(/file now FAILED/);
    expect(await statusOf(file)).to.equal('FAILED');

    const { queued } = await sweepAndLoad('incoming/failing/');
    expect(queued, 'FAILED versions are not swept again').to.have.length(0);
    // The data is still there for a redrive once the cause is fixed.
    expect((await versionsUnder('incoming/failing/')).versions).to.have.length(1);
    expect((await loadFile(deps(), file)).status, 'a redrive after the fix loads it').to.equal('loaded');
  });

  it('hands over near the time limit even while the reader is stuck inside one record', async function () {
    const file = await upload('incoming/stuck/h.csv', csvOf([goodRow(9), goodRow(10)]));
    // S3 answers with the first rows, then an unclosed quoted field whose bytes trickle forever.
    const stalled = new S3Client({ forcePathStyle: true });
    stalled.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName !== 'GetObjectCommand') return result;
        const original = (result.output as { Body: Readable }).Body;
        const body = new PassThrough();
        original.on('data', (chunk: Buffer) => body.write(chunk));
        original.on('end', () => {
          body.write('ORD-100011,1,"never closed');
          const timer = setInterval(() => body.write('x'.repeat(100)), 10);
          body.on('close', () => clearInterval(timer));
        });
        (result.output as { Body: Readable }).Body = body;
        return result;
      },
      { step: 'initialize' },
    );
    const deadline = Date.now() + 1_500; // safetyMarginMs is 1,000: hand over after ~0.5 s
    const outcome = await loadFile(deps({ s3: stalled, remainingTimeMs: () => deadline - Date.now() }), file);

    expect(outcome.status).to.equal('continued');
    if (outcome.status === 'continued') expect(outcome.nextLine).to.equal(4);
    expect(await quantityOf(9)).to.not.equal(undefined);
  });
});
