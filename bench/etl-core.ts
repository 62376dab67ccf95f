// One benchmark run in its own process (so its peak memory is its own):
//   tsx bench/etl-core.ts <core|csv-parse> <megabytes>
// Prints one JSON line: rows, seconds, rows/s, peak RSS, DynamoDB calls.
import { parse } from 'csv-parse';
import { BatchWriteItemCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadFile } from '../functions/etl/load-file';
import { schema } from '../functions/etl/schema';
import { etlTestConfig } from '../test/support/etl-fixtures';
import { generatedCsv } from './csv-source';

const [mode = 'core', megabytes = '10'] = process.argv.slice(2);
const bytes = Number(megabytes) * 1024 * 1024;

async function csvParseAlone(): Promise<{ rows: number }> {
  let rows = -1; // header
  for await (const _ of generatedCsv(bytes).pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: true }))) rows += 1;
  return { rows };
}

/**
 * A real client whose send answers by command name and keeps
 * nothing: a mock library's call history would hold every batch and make memory grow.
 */
function stubClient<T extends { send: unknown }>(client: T, answers: [Function, () => unknown][]): T {
  const byCommand = new Map(answers);
  const send = async (command: object) => {
    const answer = byCommand.get(command.constructor);
    if (!answer) throw new Error(`bench stub: unexpected ${command.constructor.name}`);
    return answer();
  };
  Object.assign(client, { send });
  return client;
}

/** The whole ETL core (loadFile: parse, validate, transform, batch, quarantine) with stub AWS clients. */
async function core(): Promise<{ rows: number; batchWriteCalls: number; rejected: number }> {
  let batchWriteCalls = 0;
  const s3 = stubClient(new S3Client({ region: 'us-east-1' }), [
    [GetObjectCommand, () => ({ Body: generatedCsv(bytes) })],
    [ListObjectVersionsCommand, () => ({ Versions: [{ Key: 'reports-only/bench.csv', VersionId: 'v1' }] })],
    [PutObjectCommand, () => ({})],
    [CreateMultipartUploadCommand, () => ({ UploadId: 'bench' })],
    [UploadPartCommand, () => ({ ETag: 'etag' })],
    [CompleteMultipartUploadCommand, () => ({})],
  ]);
  const dynamodb = stubClient(new DynamoDBClient({ region: 'us-east-1' }), [
    [UpdateItemCommand, () => ({ Attributes: {} })],
    [
      BatchWriteItemCommand,
      () => {
        batchWriteCalls += 1;
        return {};
      },
    ],
  ]);
  const outcome = await loadFile(
    {
      s3,
      dynamodb,
      sqs: stubClient(new SQSClient({ region: 'us-east-1' }), []),
      schema,
      config: etlTestConfig('http://queue', { tableName: 'bench', safetyMarginMs: 0 }),
      remainingTimeMs: () => 900_000,
      log: () => {},
    },
    { bucket: 'bench', key: 'reports-only/bench.csv', versionId: 'v1' },
  );
  if (outcome.status !== 'loaded') throw new Error(`unexpected outcome ${outcome.status}`);
  return { rows: outcome.counts.read, batchWriteCalls, rejected: outcome.counts.rejected };
}

async function main() {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = mode === 'csv-parse' ? await csvParseAlone() : await core();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // CPU time (all threads, GC helpers included) is less disturbed than wall time by other work on a shared machine.
  const { user, system } = process.cpuUsage(cpu);
  const cpuSeconds = (user + system) / 1e6;
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  // What is still reachable once the run is over (with --expose-gc): garbage V8 had not yet collected
  // counts in the peak RSS, not here.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const liveHeapMb = gc ? Math.round(process.memoryUsage().heapUsed / 1024 / 1024) : undefined;
  console.log(JSON.stringify({ mode, megabytes: Number(megabytes), ...result, seconds, rowsPerSecond: Math.round(result.rows / seconds), cpuSeconds, peakRssMb, liveHeapMb }));
}

void main();
