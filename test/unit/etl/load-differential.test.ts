import { Readable } from 'node:stream';
import { expect } from 'chai';
import { BatchWriteItemCommand, DynamoDBClient, UpdateItemCommand, type AttributeValue, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { readCsv } from '../../../functions/etl/csv';
import type { Checkpoint, Counts } from '../../../functions/etl/ledger';
import { loadFile, type LoadOutcome } from '../../../functions/etl/load-file';
import { schema as sampleSchema } from '../../../functions/etl/schema';
import type { CsvSchema } from '../../../functions/etl/schema-types';
import { seededRandom } from '../../../scripts/lib/seeded-random';
import { badRow, etlTestConfig, goodRow, HEADER } from '../../support/etl-fixtures';
import { validateRow as referenceRow } from './reference/validate-v1';
import { headerProblems } from '../../../functions/etl/validate';

/** What a load leaves behind: the table (key -> wire item, in put order), the quarantine lines, the counts. */
interface Observed {
  table: Map<string, Record<string, AttributeValue>>;
  quarantine: string[];
  counts: Counts;
}

const tableKey = (item: Record<string, AttributeValue>) => JSON.stringify([item.pk, item.sk]);

/**
 * The old engine's behaviour, written plainly: every record read in order, the frozen interpreter for
 * each row, marshall for each item, one put per item, one JSON line per rejected record.
 */
async function expectedLoad(schema: CsvSchema, file: Buffer): Promise<Observed & { boundaries: Map<number, { nextLine: number; counts: Counts }> }> {
  const table = new Map<string, Record<string, AttributeValue>>();
  const quarantine: string[] = [];
  const counts: Counts = { read: 0, loaded: 0, rejected: 0, filtered: 0 };
  const boundaries = new Map<number, { nextLine: number; counts: Counts }>();
  let badHeader: string[] = [];
  for await (const event of readCsv(Readable.from([file]), { maxRecordBytes: schema.maxRecordBytes, encoding: schema.encoding, onHeader: (h) => (badHeader = headerProblems(schema, h)) })) {
    counts.read += 1;
    if (event.kind === 'invalid') {
      counts.rejected += 1;
      const { line, reason, raw, rawBase64, truncated, startByte, endByte } = event;
      quarantine.push(JSON.stringify({ line, reasons: [reason], raw, rawBase64, truncated, startByte, endByte }));
    } else {
      const result = badHeader.length > 0 ? { kind: 'rejected' as const, reasons: badHeader } : referenceRow(schema, event.values);
      if (result.kind === 'item') {
        const item = marshall(result.item);
        table.set(tableKey(item), item);
        counts.loaded += 1;
      } else if (result.kind === 'filtered') counts.filtered += 1;
      else {
        counts.rejected += 1;
        quarantine.push(JSON.stringify({ line: event.line, reasons: result.reasons, values: event.values }));
      }
    }
    boundaries.set(event.endByte, { nextLine: event.nextLine, counts: { ...counts } });
  }
  return { table, quarantine, counts, boundaries };
}

/** A real client whose send answers by command name. */
function stub<T extends { send: unknown }>(client: T, answer: (command: object) => unknown): T {
  return Object.assign(client, { send: async (command: object) => answer(command) });
}

const text = (body: unknown) => (typeof body === 'string' ? body : Buffer.from(body as Uint8Array).toString('utf8'));

/** Runs loadFile over the file, segment after segment, with stub clients; `stopAfter(calls)` ends a segment early. */
async function actualLoad(schema: CsvSchema, file: Buffer, stopAt: (segment: number, calls: number) => boolean) {
  const table = new Map<string, Record<string, AttributeValue>>();
  const quarantine: string[] = [];
  const checkpoints: Checkpoint[] = [];
  let checkpoint: Checkpoint | undefined;
  let token: string | undefined;
  const s3 = stub(new S3Client({ region: 'us-east-1' }), (command) => {
    if (command instanceof GetObjectCommand) {
      const from = Number(/bytes=(\d+)-/.exec(command.input.Range ?? '')?.[1] ?? 0);
      const rest = file.subarray(from);
      const chunks: Buffer[] = [];
      for (let i = 0; i < rest.length; i += 997) chunks.push(rest.subarray(i, i + 997));
      return { Body: Readable.from(chunks) };
    }
    if (command instanceof ListObjectVersionsCommand) return { Versions: [{ Key: 'incoming/f.csv', VersionId: 'v1' }] };
    if (command instanceof PutObjectCommand) {
      if (command.input.Key!.startsWith('quarantine/')) quarantine.push(...text(command.input.Body).split('\n').filter((l) => l !== ''));
      return {};
    }
    return {};
  });
  const dynamodb = stub(new DynamoDBClient({ region: 'us-east-1' }), (command) => {
    if (command instanceof BatchWriteItemCommand) {
      for (const request of Object.values(command.input.RequestItems!)[0] as WriteRequest[]) table.set(tableKey(request.PutRequest!.Item!), request.PutRequest!.Item!);
      return {};
    }
    if (command instanceof UpdateItemCommand) {
      const values = command.input.ExpressionAttributeValues ?? {};
      if (values[':checkpoint']) checkpoints.push((checkpoint = unmarshall(values[':checkpoint'].M!) as Checkpoint));
      if (command.input.ReturnValues === 'ALL_NEW') return { Attributes: marshall({ status: 'IN_PROGRESS', ...(checkpoint && { checkpoint }) }) };
    }
    return {};
  });
  const sqs = stub(new SQSClient({ region: 'us-east-1' }), (command) => {
    if (command instanceof SendMessageCommand) token = (JSON.parse(command.input.MessageBody!) as { etlContinuation: { token: string } }).etlContinuation.token;
    return {};
  });
  let outcome: LoadOutcome;
  let segment = 0;
  do {
    let calls = 0;
    const current = segment;
    outcome = await loadFile(
      { s3, dynamodb, sqs, schema, config: etlTestConfig('http://queue', { safetyMarginMs: 1_000 }), remainingTimeMs: () => (stopAt(current, ++calls) ? 0 : 900_000), log: () => {} },
      { bucket: 'b', key: 'incoming/f.csv', versionId: 'v1' },
      segment > 0 ? token : undefined,
    );
    segment += 1;
  } while (outcome.status === 'continued');
  if (outcome.status !== 'loaded') throw new Error(`unexpected ${outcome.status}`);
  return { table, quarantine, counts: outcome.counts, checkpoints };
}

/** Good and bad rows, test orders, repeated keys, broken quoting, stray bytes, blank lines, mixed line ends. */
function hostileFile(seed: number, rows: number, header = HEADER): Buffer {
  const next = seededRandom(seed);
  const parts: Buffer[] = [Buffer.from(`${next() < 0.5 ? '\ufeff' : ''}${header}\n`)];
  const endings = ['\n', '\r\n', '\r'];
  for (let n = 0; n < rows; n++) {
    const roll = next();
    let line = roll < 0.6 ? goodRow(n) : roll < 0.7 ? badRow(n) : roll < 0.75 ? goodRow(n).replace(',PAID', ',test') : roll < 0.8 ? goodRow(Math.floor(n / 2)) : roll < 0.83 ? goodRow(n).replace('"note, with comma"', '"unclosed, note') : roll < 0.86 ? goodRow(n).replace('"note, with comma"', '"quoted"x') : roll < 0.88 ? `${goodRow(n)},extra` : roll < 0.9 ? 'ORD-1,2' : roll < 0.92 ? '   ' : roll < 0.94 ? goodRow(n).replace('note, with comma', `long ${'x'.repeat(300)}`) : roll < 0.96 ? goodRow(n).replace('note, with comma', 'multi\nline\r\nnote') : goodRow(n).replace('@example.com', '@exämple.com');
    if (roll >= 0.96 && roll < 0.98) line = goodRow(n).replace(',EUR,', ', eur ,').replace(/2026-11-(\d\d)/, '$1/11/2026');
    const bytes = Buffer.from(line + endings[Math.floor(next() * endings.length)]!);
    if (roll >= 0.98) bytes[Math.floor(next() * (bytes.length - 1))] = 0xff; // invalid UTF-8
    parts.push(bytes);
  }
  return Buffer.concat(parts);
}

async function compare(schema: CsvSchema, file: Buffer, stopAt: (segment: number, calls: number) => boolean) {
  const expected = await expectedLoad(schema, file);
  const actual = await actualLoad(schema, file, stopAt);
  expect(actual.counts).to.deep.equal(expected.counts);
  expect(actual.quarantine).to.deep.equal(expected.quarantine);
  expect([...actual.table]).to.deep.equal([...expected.table]);
  // Every resume point is the end of a record, with the line and counts the old engine had there.
  for (const checkpoint of actual.checkpoints) {
    const boundary = expected.boundaries.get(checkpoint.nextByte);
    expect(boundary, `checkpoint at byte ${checkpoint.nextByte}`).to.not.equal(undefined);
    expect({ nextLine: checkpoint.nextLine, counts: checkpoint.counts }).to.deep.equal(boundary);
  }
  return { expected, actual };
}

describe('loadFile = the old engine (differential on generated and hostile files: items, rejects, lines, resume points)', function () {
  this.timeout(60_000);
  const smallRecords: CsvSchema = { ...sampleSchema, maxRecordBytes: 200 };

  it('a hostile file in one invocation: the same table, quarantine lines and counts', async function () {
    const { expected } = await compare(smallRecords, hostileFile(1, 3_000), () => false);
    expect(expected.counts.loaded).to.be.above(1_000);
    expect(expected.counts.filtered).to.be.above(50);
    expect(expected.quarantine.length).to.be.above(500);
  });

  it('the same file handed over between invocations at several points: each resume point is a record boundary, the result is the same', async function () {
    const { actual } = await compare(smallRecords, hostileFile(2, 3_000), (segment, calls) => calls > 2 + 400 + 100 * segment);
    expect(actual.checkpoints.length).to.be.above(2);
  });

  it('a hand-over right after a malformed line before the header: the continuation still reads the header as the header', async function () {
    const file = Buffer.from(`"broken,header\n${HEADER}\n${Array.from({ length: 50 }, (_, n) => goodRow(n)).join('\n')}\n`);
    const { actual, expected } = await compare(smallRecords, file, (segment, calls) => segment === 0 && calls > 2);
    expect(actual.checkpoints[0]).to.deep.include({ nextLine: 2, header: [] });
    expect(expected.counts.loaded).to.be.above(10);
  });

  it('the benchmark file (2% bad rows), and a header without a required column (every row rejected with the header problems)', async function () {
    const rows = Array.from({ length: 2_000 }, (_, n) => (n % 50 === 0 ? badRow(n) : goodRow(n)));
    await compare(sampleSchema, Buffer.from(`${HEADER}\n${rows.join('\n')}\n`), () => false);
    const { expected } = await compare(sampleSchema, hostileFile(3, 300, HEADER.replace('currency,', 'money,')), () => false);
    expect(expected.counts.loaded).to.equal(0);
  });
});
