import { expect } from 'chai';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadFile, type EtlConfig, type EtlDeps } from '../../functions/etl/load-file';
import { parseQueueMessage } from '../../functions/etl/s3-events';
import { compiledSchema } from '../../functions/etl/compile-schema';
import { schema } from '../../functions/etl/schema';
import { sweep } from '../../functions/etl/sweep';
import { badRow, csvOf, goodRow, HEADER } from '../support/etl-fixtures';
import { createEtlResources } from '../support/etl-moto';
import { useMoto } from '../support/moto';

const BUCKET = 'etl-it';

describe('ETL against real S3, SQS and DynamoDB (moto)', function () {
  this.timeout(180_000);
  useMoto();
  let s3: S3Client;
  let dynamodb: DynamoDBClient;
  let sqs: SQSClient;
  let config: EtlConfig;
  let queueUrl: string;

  before(async function () {
    s3 = new S3Client({ forcePathStyle: true });
    dynamodb = new DynamoDBClient({});
    sqs = new SQSClient({});
    config = await createEtlResources({ s3, dynamodb, sqs }, BUCKET, 'etl-files');
    queueUrl = config.queueUrl;
  });

  const deps = (overrides: Partial<EtlDeps> = {}): EtlDeps => ({ s3, dynamodb, sqs, schema, config, remainingTimeMs: () => 900_000, log: () => {}, ...overrides });

  async function upload(key: string, body: string) {
    const { VersionId } = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    return { bucket: BUCKET, key, versionId: VersionId };
  }

  async function tableCount(prefix: string): Promise<number> {
    let count = 0;
    let ExclusiveStartKey: Record<string, never> | undefined;
    do {
      const page = await dynamodb.send(new ScanCommand({ TableName: 'orders', FilterExpression: 'begins_with(order_id, :p)', ExpressionAttributeValues: { ':p': { S: prefix } }, ExclusiveStartKey }));
      count += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
    } while (ExclusiveStartKey);
    return count;
  }

  async function text(key: string): Promise<string> {
    return (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
  }

  it('loads a 10,000-row file exactly: loaded + quarantined = rows, each rejected row with its line and reasons', async function () {
    const rows = Array.from({ length: 10_000 }, (_, n) => (n % 37 === 0 ? badRow(n) : goodRow(n)));
    const rejectedLines = rows.flatMap((_, n) => (n % 37 === 0 ? [n + 2] : []));
    const file = await upload('incoming/big.csv', csvOf(rows, { crlf: true, bom: true }));

    const outcome = await loadFile(deps(), file);

    expect(outcome.status).to.equal('loaded');
    if (outcome.status !== 'loaded') return;
    expect(outcome.counts).to.deep.equal({ read: 10_000, loaded: 10_000 - rejectedLines.length, rejected: rejectedLines.length, filtered: 0 });
    expect(outcome.counts.loaded + outcome.counts.rejected).to.equal(10_000);
    expect(await tableCount('ORD-1')).to.equal(outcome.counts.loaded);
    const quarantined = (await text(outcome.quarantineKeys[0]!)).trim().split('\n').map((l) => JSON.parse(l) as { line: number; reasons: string[] });
    expect(quarantined.map((q) => q.line)).to.deep.equal(rejectedLines);
    expect(quarantined[0]!.reasons).to.have.length(3);
    expect(JSON.parse(await text(outcome.reportKey))).to.deep.include({ read: 10_000, rejected: rejectedLines.length });
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'processed/' }))).Contents?.map((c) => c.Key);
    expect(keys).to.include('processed/big.csv');
    expect(outcome.calls).to.equal(Math.ceil(outcome.counts.loaded / 25));
  });

  it('does not load a re-notified file twice', async function () {
    const file = await upload('incoming/twice.csv', csvOf([goodRow(1), goodRow(2)]));
    const first = await loadFile(deps(), file);
    const second = await loadFile(deps(), file);
    expect(first.status).to.equal('loaded');
    expect(second).to.deep.equal({ status: 'already-loaded' });
  });

  it('retries a throttled table to completion', async function () {
    // The real table behind a client that, for its first five calls, writes only the first item of
    // each batch and hands the rest back as UnprocessedItems, as a throttled table does.
    const throttled = new DynamoDBClient({});
    let throttledCalls = 0;
    throttled.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { RequestItems?: Record<string, { PutRequest?: unknown }[]> };
        if (context.commandName !== 'BatchWriteItemCommand' || throttledCalls >= 5) return next(args);
        throttledCalls += 1;
        const [table, requests] = Object.entries(input.RequestItems!)[0]!;
        const result = await next({ ...args, input: { ...input, RequestItems: { [table]: requests.slice(0, 1) } } });
        (result.output as { UnprocessedItems?: unknown }).UnprocessedItems = requests.length > 1 ? { [table]: requests.slice(1) } : {};
        return result;
      },
      { step: 'initialize' },
    );
    const rows = Array.from({ length: 120 }, (_, n) => goodRow(50_000 + n));
    const file = await upload('incoming/throttled.csv', csvOf(rows));
    const outcome = await loadFile(deps({ dynamodb: throttled, writerOptions: { baseDelayMs: 1, maxDelayMs: 5 } }), file);
    expect(throttledCalls).to.equal(5);
    expect(outcome.status).to.equal('loaded');
    expect(await tableCount('ORD-15')).to.equal(120);
  });

  it('quarantines more than a 5 MiB part of rejected rows as one multipart object, byte for byte (multi-byte text across part boundaries)', async function () {
    const header = HEADER.split(',');
    const rows = Array.from({ length: 6_000 }, (_, n) => `ORD-${100000 + n},1,not-an-email,SKU-1,2,1.5,EUR,2026-11-01,no,${'Zoë € 日本 '.repeat(40 + (n % 7))},PAID`);
    const file = await upload('incoming/many-rejects.csv', csvOf(rows));
    const compiled = compiledSchema(schema);
    const expected = rows
      .map((row, n) => {
        const values = Object.fromEntries(row.split(',').map((value, i) => [header[i]!, value]));
        const result = compiled.row(values);
        if (result.kind !== 'rejected') throw new Error('every row must be rejected');
        return `${JSON.stringify({ line: n + 2, reasons: result.reasons, values })}\n`;
      })
      .join('');
    expect(Buffer.byteLength(expected)).to.be.above(5 * 1024 * 1024 + 1);

    const outcome = await loadFile(deps(), file);

    expect(outcome.status).to.equal('loaded');
    if (outcome.status !== 'loaded') return;
    expect(outcome.counts).to.deep.include({ read: rows.length, rejected: rows.length });
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: outcome.quarantineKeys[0]! }));
    expect(object.ETag).to.match(/-2"$/); // a multipart object of two parts
    expect(object.ContentType).to.equal('application/x-ndjson');
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(Buffer.from(expected))).to.equal(true);
  });

  it('finds a file under a key with spaces, plus signs and unicode from its real S3 notification', async function () {
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: BUCKET,
        NotificationConfiguration: { QueueConfigurations: [{ QueueArn: queueArn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } } }] },
      }),
    );
    const key = 'incoming/Bestellungen März + Ünïcödé ✓ (1).csv';
    await upload(key, csvOf([goodRow(70_001)]));

    const files = [];
    for (let i = 0; i < 10 && files.length === 0; i++) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const m of Messages) {
        const message = parseQueueMessage(m.Body!);
        if (message.kind === 'files') files.push(...message.files);
      }
    }
    expect(files.map((f) => f.key)).to.deep.equal([key]);
    const outcome = await loadFile(deps(), files[0]!);
    expect(outcome.status).to.equal('loaded');
    expect(await tableCount('ORD-170001')).to.equal(1);
  });

  it('checkpoints near the time limit and continues in a new invocation until the file is done', async function () {
    const rows = Array.from({ length: 1_000 }, (_, n) => (n % 100 === 7 ? badRow(90_000 + n) : goodRow(90_000 + n).replace('note, with comma', 'multi\nline')));
    const file = await upload('incoming/long.csv', csvOf(rows));
    let budget = 0;
    // Each invocation "has time" for about 300 rows (the loader asks for the time once per record).
    const invocation = () => {
      budget = 300;
      return deps({ remainingTimeMs: () => (budget-- > 0 ? 900_000 : 0) });
    };

    const outcomes = [await loadFile(invocation(), file)];
    let token: string | undefined;
    while (outcomes.at(-1)!.status === 'continued') {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      const continuation = Messages.map((m) => parseQueueMessage(m.Body!)).find((m) => m.kind === 'continuation');
      expect(continuation, 'a continuation message').to.not.equal(undefined);
      if (continuation?.kind !== 'continuation') return;
      token = continuation.continuation.token;
      outcomes.push(await loadFile(invocation(), continuation.continuation.file, token));
    }
    expect(outcomes.length).to.be.greaterThan(2);
    const last = outcomes.at(-1)!;
    expect(last.status).to.equal('loaded');
    if (last.status !== 'loaded') return;
    expect(last.counts).to.deep.equal({ read: 1_000, loaded: 990, rejected: 10, filtered: 0 });
    expect(await tableCount('ORD-19')).to.equal(990);
    // Rejected lines keep their true line numbers across segments (each good row spans two lines).
    const quarantined = await Promise.all(
      ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'quarantine/long.csv/' }))).Contents ?? []).map((c) => text(c.Key!)),
    );
    const lines = quarantined.join('').trim().split('\n').map((l) => (JSON.parse(l) as { line: number }).line).sort((a, b) => a - b);
    const badBefore = (n: number) => Math.floor((n + 92) / 100);
    expect(lines).to.deep.equal(rows.flatMap((_, n) => (n % 100 === 7 ? [2 + 2 * n - badBefore(n)] : [])));
  });

  it('sweeps files that were never loaded, and leaves loaded ones', async function () {
    await upload('incoming/missed.csv', csvOf([goodRow(80_001)]));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'sweep-target' }));
    const result = await sweep({ s3, dynamodb, sqs }, { bucket: BUCKET, prefix: 'incoming/', ledgerTableName: 'ledger', queueUrl: QueueUrl!, minAgeMs: 0, maxFiles: 100 });
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    const swept = Messages.flatMap((m) => {
      const message = parseQueueMessage(m.Body!);
      return message.kind === 'files' ? message.files.map((f) => f.key) : [];
    });
    // Loaded files were moved out of incoming/ (and are DONE in the ledger); the unicode one too.
    expect(swept).to.deep.equal(['incoming/missed.csv']);
    expect(result.requeued).to.equal(1);
  });
});
