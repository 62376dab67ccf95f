// Cost and scale on paper: per pipeline, the AWS requests, Lambda GB-seconds and storage one million
// inputs cause, priced at on-demand us-east-1 rates (PRICES: each with its source and the day it was
// read), and the first quota each pipeline meets as traffic grows (LIMITS), with the setting that
// raises it.
//   npx tsx bench/cost.ts
// Calls per input come from the benches where they measure them (bench/notes-calls.ts; the ETL core's
// BatchWriteItem calls per row from bench/etl-core.ts, run here on a 1 MB file), otherwise from the
// code's batch sizes (stated in each model's notes). Durations are assumptions, stated per function:
// this machine's emulators say nothing about AWS latency. Free tiers are left out.
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { notesCalls } from './notes-calls';

export interface Price {
  usd: number;
  /** Units the price is for (1,000,000 requests, 1 GB-month...). */
  per: number;
  unit: string;
  source: string;
  /** When the source was read; "not found" prices say why the figure was used. */
  seen: string;
}

const SEEN = '2026-11-23';
const NOT_FOUND = `not found in the stored pages on ${SEEN}; figure used: the published us-east-1 rate as last known, check before relying on it`;

export const PRICES = {
  apiRest: { usd: 3.5, per: 1e6, unit: 'REST API requests (first 333 M/month)', source: 'docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html', seen: SEEN },
  lambdaRequest: { usd: 0.2, per: 1e6, unit: 'Lambda requests', source: 'docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html', seen: SEEN },
  lambdaArmGbSecond: { usd: 0.0000133334, per: 1, unit: 'Lambda GB-seconds, arm64 (first 7.5 B/month; the module default architecture)', source: 'cloudchipr.com/blog/aws-lambda-pricing (us-east-1, 2024)', seen: SEEN },
  sqsStandard: { usd: 0.4, per: 1e6, unit: 'SQS standard requests (per 64 KB chunk)', source: 'cloudburn.io/blog/amazon-sqs-pricing (us-east-1, March 2026)', seen: SEEN },
  sqsFifo: { usd: 0.5, per: 1e6, unit: 'SQS FIFO requests (per 64 KB chunk)', source: 'cloudburn.io/blog/amazon-sqs-pricing (us-east-1, March 2026)', seen: SEEN },
  dynamodbWrite: { usd: 0.625, per: 1e6, unit: 'DynamoDB on-demand write request units (1 KB each)', source: 'airbyte.com/data-engineering-resources/dynamodb-pricing (us-east-1, after the Nov 2024 cut; July 2025)', seen: SEEN },
  dynamodbRead: { usd: 0.125, per: 1e6, unit: 'DynamoDB on-demand read request units (4 KB strongly consistent)', source: 'airbyte.com/data-engineering-resources/dynamodb-pricing (us-east-1, after the Nov 2024 cut; July 2025)', seen: SEEN },
  dynamodbStorage: { usd: 0.25, per: 1, unit: 'DynamoDB Standard GB-month', source: NOT_FOUND, seen: SEEN },
  stepFunctionsTransition: { usd: 0.025, per: 1000, unit: 'Step Functions Standard state transitions', source: 'aws.amazon.com/step-functions/pricing', seen: SEEN },
  eventBridgeEvent: { usd: 1, per: 1e6, unit: 'EventBridge custom events (per 64 KB chunk)', source: 'cloudburn.io/blog/amazon-eventbridge-pricing (us-east-1, March 2026)', seen: SEEN },
  firehoseGb: { usd: 0.029, per: 1, unit: 'Firehose direct PUT GB ingested (each record rounded up to 5 KB)', source: `rounding: aws.amazon.com/kinesis/data-firehose/pricing; rate ${NOT_FOUND}`, seen: SEEN },
  s3Put: { usd: 0.005, per: 1000, unit: 'S3 PUT/COPY/POST/LIST requests', source: 'devnotes.tech/understanding-aws-s3-pricing-a-complete-cost-breakdown-with-examples', seen: SEEN },
  s3Get: { usd: 0.0004, per: 1000, unit: 'S3 GET requests', source: 'devnotes.tech/understanding-aws-s3-pricing-a-complete-cost-breakdown-with-examples', seen: SEEN },
  s3Storage: { usd: 0.023, per: 1, unit: 'S3 Standard GB-month (first 50 TB)', source: 'devnotes.tech/understanding-aws-s3-pricing-a-complete-cost-breakdown-with-examples', seen: SEEN },
  logsIngest: { usd: 0.5, per: 1, unit: 'CloudWatch Logs GB ingested (Standard class)', source: 'c3x.dev/blog/cloudwatch-logs-cost-optimization (us-east-1, June 2026)', seen: SEEN },
  elastiCacheNodeHour: { usd: 0.065, per: 1, unit: 'ElastiCache cache.t4g.medium node-hour', source: NOT_FOUND, seen: SEEN },
} as const satisfies Record<string, Price>;

export type PriceKey = keyof typeof PRICES;

/** quantity: units of the price's unit per million inputs. */
export interface Line {
  what: string;
  quantity: number;
  price: PriceKey;
}

/** One function's share of a million inputs: invocations, configured memory, billed ms each. */
export interface LambdaUse {
  fn: string;
  invocations: number;
  memoryMb: number;
  ms: number;
}

export interface Limit {
  limit: string;
  /** Inputs per second at which it binds, where the model can say. */
  atPerSecond?: number;
  raise: string;
}

export interface PipelineModel {
  name: string;
  input: string;
  requests: Line[];
  lambdas: LambdaUse[];
  /** Bytes logged per input (handler lines plus Lambda's START/END/REPORT per invocation). */
  logBytes: number;
  storage: Line[];
  fixedMonthly?: { what: string; usd: number };
  notes: string[];
  limits: Limit[];
}

export const lineUsd = (line: Line): number => (line.quantity / PRICES[line.price].per) * PRICES[line.price].usd;

/** Lambda bills memory in MB/1024 GB and duration rounded up to the millisecond. */
export const gbSeconds = (use: LambdaUse): number => use.invocations * (use.memoryMb / 1024) * (Math.ceil(use.ms) / 1000);

export interface PipelineCost {
  name: string;
  awsRequests: number;
  lambdaInvocations: number;
  gbSeconds: number;
  storageGb: number;
  requestsUsd: number;
  lambdaUsd: number;
  logsUsd: number;
  storageUsd: number;
  totalUsd: number;
}

export function pipelineCost(model: PipelineModel): PipelineCost {
  const invocations = model.lambdas.reduce((s, l) => s + l.invocations, 0);
  const seconds = model.lambdas.reduce((s, l) => s + gbSeconds(l), 0);
  const requestsUsd = model.requests.reduce((s, l) => s + lineUsd(l), 0);
  const lambdaUsd = lineUsd({ what: 'invocations', quantity: invocations, price: 'lambdaRequest' }) + lineUsd({ what: 'duration', quantity: seconds, price: 'lambdaArmGbSecond' });
  const logsUsd = lineUsd({ what: 'logs', quantity: (model.logBytes * 1e6) / 1024 ** 3, price: 'logsIngest' });
  const storageUsd = model.storage.reduce((s, l) => s + lineUsd(l), 0);
  return {
    name: model.name,
    awsRequests: model.requests.filter((l) => !PRICES[l.price].unit.includes('GB')).reduce((s, l) => s + l.quantity, 0),
    lambdaInvocations: invocations,
    gbSeconds: seconds,
    storageGb: model.storage.reduce((s, l) => s + l.quantity, 0),
    requestsUsd,
    lambdaUsd,
    logsUsd,
    storageUsd,
    totalUsd: requestsUsd + lambdaUsd + logsUsd + storageUsd,
  };
}

const M = 1e6;
const GB = 1024 ** 3;
/** Lambda's START, END and REPORT lines per invocation, about. */
const PLATFORM_LOG_BYTES = 350;
/** One structured Powertools log line, about. */
const LOG_LINE_BYTES = 300;

export interface Measured {
  /** SendMessageBatch calls per forwarded note (bench/notes-calls.ts). */
  notesSqsCallsPerForwarded: number;
  /** DynamoDB calls per counted note (bench/notes-calls.ts). */
  notesDynamoCallsPerNote: number;
  /** BatchWriteItem calls per loaded row and CSV bytes per row (bench/etl-core.ts). */
  etlBatchWritesPerRow: number;
  etlBytesPerRow: number;
}

export function models(m: Measured): PipelineModel[] {
  const etlFileRows = 100_000;
  const etlFiles = M / etlFileRows;
  const rmMessageBytes = 100 * 1024;
  const eventBytes = 500;
  return [
    {
      name: 'storage-first',
      input: 'message of <= 1 KB POSTed',
      requests: [
        { what: 'API Gateway REST', quantity: M, price: 'apiRest' },
        // SendMessage by the API's direct integration; the mapping's ReceiveMessage and DeleteMessageBatch per batch of 10
        { what: 'SQS send + receive + delete', quantity: M + 2 * (M / 10), price: 'sqsStandard' },
      ],
      lambdas: [{ fn: 'processor (batch 10)', invocations: M / 10, memoryMb: 256, ms: 40 }],
      // the processor logs each message with its body ("message processed", storedMessage)
      logBytes: LOG_LINE_BYTES + 1024 + (LOG_LINE_BYTES + PLATFORM_LOG_BYTES) / 10,
      storage: [],
      notes: ['full batches of 10 (batch_size); at low rates the 1 s window sends smaller ones, and idle long polls add ~0.4 M SQS requests a month whatever the traffic'],
      limits: [
        { limit: 'the API key usage plan: 100 requests/s, burst 200 (429 beyond)', atPerSecond: 100, raise: 'throttle_rate_limit / throttle_burst_limit (infra/pipelines/storage-first)' },
        { limit: 'the processor mapping: maximum_concurrency 10 invocations', atPerSecond: 10 * 10 * (1000 / 40), raise: 'maximum_concurrency (2-1000)' },
        { limit: 'API Gateway account throttle: 10,000 requests/s, burst 5,000, per region', atPerSecond: 10_000, raise: 'Service Quotas increase request' },
      ],
    },
    {
      name: 'notes',
      input: 'note of <= 1 KB created and counted',
      requests: [
        { what: 'API Gateway REST', quantity: M, price: 'apiRest' },
        // PutItem, then the counter's conditional UpdateItem after a consistent GetItem of the note
        // (its calls measured); the stream reads by Lambda are free
        { what: 'DynamoDB writes: PutItem + the count\'s UpdateItem', quantity: 2 * M, price: 'dynamodbWrite' },
        { what: 'DynamoDB reads: the counter\'s other calls (GetItem, measured)', quantity: M * (m.notesDynamoCallsPerNote - 1), price: 'dynamodbRead' },
        { what: 'SQS SendMessageBatch (measured) + receive + delete', quantity: M * m.notesSqsCallsPerForwarded + 2 * (M / 10), price: 'sqsStandard' },
      ],
      lambdas: [
        { fn: 'api', invocations: M, memoryMb: 256, ms: 30 },
        // two stream records per note: the insert and the counter's write-back (not forwarded)
        { fn: 'forwarder (stream batch 100)', invocations: (2 * M) / 100, memoryMb: 256, ms: 100 },
        { fn: 'word-count (batch 10)', invocations: M / 10, memoryMb: 256, ms: 60 },
      ],
      logBytes: LOG_LINE_BYTES + PLATFORM_LOG_BYTES + LOG_LINE_BYTES + (LOG_LINE_BYTES + PLATFORM_LOG_BYTES) / 10 + ((LOG_LINE_BYTES + PLATFORM_LOG_BYTES) * 2) / 100,
      storage: [{ what: 'notes table (1 KB items)', quantity: (M * 1024) / GB, price: 'dynamodbStorage' }],
      notes: [`calls per note measured: ${m.notesSqsCallsPerForwarded.toFixed(3)} SendMessageBatch per forwarded note, ${m.notesDynamoCallsPerNote.toFixed(3)} DynamoDB calls per count`],
      limits: [
        { limit: 'the API key usage plan: 50 requests/s, burst 100', atPerSecond: 50, raise: 'throttle_rate_limit / throttle_burst_limit (infra/pipelines/notes)' },
        { limit: 'word-count mapping maximum_concurrency 5 (fixed in main.tf): counts lag behind writes', atPerSecond: 5 * 10 * (1000 / 60), raise: 'a variable for it in infra/pipelines/notes/main.tf' },
        { limit: 'a new on-demand table takes about 4,000 writes/s before it has scaled (2 writes per note)', atPerSecond: 2000, raise: 'warm throughput on the table (aws_dynamodb_table warm_throughput), or let on-demand adapt' },
      ],
    },
    {
      name: 'etl',
      input: `CSV row (files of ${etlFileRows.toLocaleString('en')} rows, ${m.etlBytesPerRow.toFixed(0)} B/row as generated)`,
      requests: [
        { what: 'DynamoDB writes: one per row + ~3 ledger writes per file', quantity: M + 3 * etlFiles, price: 'dynamodbWrite' },
        { what: 'S3 upload + move to processed/ (copy, delete)', quantity: 3 * etlFiles, price: 's3Put' },
        { what: 'S3 GET by the loader', quantity: etlFiles, price: 's3Get' },
        { what: 'SQS notification + receive + delete', quantity: 3 * etlFiles, price: 'sqsStandard' },
      ],
      // DynamoDB-bound in AWS: WRITE_CONCURRENCY 4 BatchWriteItem calls of 25 rows, ~25 ms each
      lambdas: [{ fn: 'loader (1024 MB, ~4,000 rows/s assumed)', invocations: etlFiles, memoryMb: 1024, ms: (etlFileRows / 4000) * 1000 }],
      logBytes: (10 * LOG_LINE_BYTES + PLATFORM_LOG_BYTES) / etlFileRows,
      storage: [
        { what: 'target table (~200 B items)', quantity: (M * 200) / GB, price: 'dynamodbStorage' },
        { what: 'processed CSV kept in S3', quantity: (M * m.etlBytesPerRow) / GB, price: 's3Storage' },
      ],
      notes: [`BatchWriteItem calls per loaded row measured: ${m.etlBatchWritesPerRow.toFixed(4)} (requests are not billed, write units are)`, 'the sweeper is scheduled: a fixed few cents a month, not per row'],
      limits: [
        { limit: 'a new on-demand table takes about 4,000 writes/s; rows sorted by key land on one partition (1,000 WCU/s)', atPerSecond: 1000, raise: 'unsorted keys, warm throughput on the table; the loader backs off meanwhile' },
        { limit: 'maximum_concurrency 5 files at once x WRITE_CONCURRENCY 4', atPerSecond: 5 * 4000, raise: 'maximum_concurrency (2-1000), WRITE_CONCURRENCY (1-32)' },
      ],
    },
    {
      name: 'reliable-messaging',
      input: `${rmMessageBytes / 1024} KB message POSTed, archived, recorded, announced`,
      requests: [
        { what: 'API Gateway REST', quantity: M, price: 'apiRest' },
        // Parallel, Archive, RecordMetadata, BuildAggregate, PublishAggregate, Cleanup, Done (workflow.asl.json, happy path)
        { what: 'Step Functions Standard: 7 state transitions', quantity: 7 * M, price: 'stepFunctionsTransition' },
        { what: 'S3 PutObject (archive)', quantity: M, price: 's3Put' },
        { what: 'DynamoDB metadata putItem', quantity: M, price: 'dynamodbWrite' },
        { what: 'EventBridge PutEvents entry (aggregate)', quantity: M, price: 'eventBridgeEvent' },
        { what: 'SQS subscriber queue (one delivery)', quantity: M, price: 'sqsStandard' },
      ],
      lambdas: [
        { fn: 'ingest', invocations: M, memoryMb: 1024, ms: 60 },
        { fn: 'archive', invocations: M, memoryMb: 1024, ms: 80 },
        { fn: 'cleanup', invocations: M, memoryMb: 1024, ms: 15 },
      ],
      logBytes: 3 * (LOG_LINE_BYTES + PLATFORM_LOG_BYTES),
      storage: [
        { what: 'archive bucket', quantity: (M * rmMessageBytes) / GB, price: 's3Storage' },
        { what: 'metadata table (~300 B items)', quantity: (M * 300) / GB, price: 'dynamodbStorage' },
      ],
      fixedMonthly: { what: 'Redis: 2 x cache.t4g.medium, 730 h', usd: 2 * 730 * PRICES.elastiCacheNodeHour.usd },
      notes: ['Redis requests are not billed; its nodes are, whatever the traffic (fixedMonthly); VPC endpoint or NAT hours for the functions in the VPC are not counted', 'durations assumed from the ingest bench on this machine (tens of ms per call)'],
      limits: [
        { limit: 'the API key usage plan: 100 requests/s, burst 200', atPerSecond: 100, raise: 'the apigw module defaults (throttle_rate_limit 100, throttle_burst_limit 200): the pipeline has no variable for them yet' },
        { limit: 'Step Functions Standard StartExecution token bucket (us-east-1: 300/s refill as last known; new accounts get less)', atPerSecond: 300, raise: 'Service Quotas increase (StartExecution, StateTransition); 7 transitions per message against the StateTransition refill' },
        { limit: 'Redis memory: messages wait there for the workflow (100 KB x rate x seconds)', raise: 'redis_node_type' },
      ],
    },
    {
      name: 'streaming-events',
      input: `event of ~${eventBytes} B put to Firehose, stored, emitted, consumed`,
      requests: [
        { what: 'Firehose ingest (5 KB per record)', quantity: (M * 5 * 1024) / GB, price: 'firehoseGb' },
        { what: 'SQS FIFO SendMessageBatch + receive + delete (1/10 each)', quantity: 3 * (M / 10), price: 'sqsFifo' },
        { what: 'DynamoDB writes: event store + consumed marker', quantity: 2 * M, price: 'dynamodbWrite' },
        { what: 'EventBridge PutEvents entries (1 call per 10, billed per entry)', quantity: M, price: 'eventBridgeEvent' },
      ],
      lambdas: [
        { fn: 'transformer (500 records per Firehose call)', invocations: M / 500, memoryMb: 512, ms: 300 },
        { fn: 'storer (FIFO batch 10)', invocations: M / 10, memoryMb: 512, ms: 60 },
        { fn: 'emitter (stream batch 100)', invocations: M / 100, memoryMb: 512, ms: 120 },
        { fn: 'consumer (one async invoke per event)', invocations: M, memoryMb: 512, ms: 25 },
      ],
      logBytes: LOG_LINE_BYTES + PLATFORM_LOG_BYTES + (LOG_LINE_BYTES + PLATFORM_LOG_BYTES) * (1 / 500 + 1 / 10 + 1 / 100),
      storage: [
        { what: 'lake objects in S3 (newline-delimited JSON)', quantity: (M * eventBytes) / GB, price: 's3Storage' },
        { what: 'event store (~600 B items) + consumed table (~200 B)', quantity: (M * 800) / GB, price: 'dynamodbStorage' },
      ],
      notes: ['calls per event from the code: SendMessageBatch and PutEvents carry 10 entries (bench/streaming-events.ts measures them)', 'the lake gets a few PutObject calls per 64 MB buffer: negligible'],
      limits: [
        { limit: 'SQS FIFO without high throughput: 300 API calls/s per action, so 3,000 events/s with batches of 10', atPerSecond: 3000, raise: 'high-throughput FIFO (deduplication_scope = messageGroup, fifo_throughput_limit = perMessageGroupId): the sqs-with-dlq module does not expose them yet' },
        { limit: 'a new on-demand event store takes about 4,000 writes/s', atPerSecond: 4000, raise: 'warm throughput on the table' },
        { limit: 'Firehose direct PUT per stream: 5 MiB/s, 2,000 requests/s (us-east-1 allows 500,000 records/s)', atPerSecond: (5 * 1024 * 1024) / eventBytes, raise: 'Firehose quota increase request (per stream)' },
        { limit: 'EventBridge PutEvents: 10,000 requests/s per account in us-east-1 (10 entries each)', atPerSecond: 100_000, raise: 'Service Quotas increase' },
      ],
    },
  ];
}

const usd = (n: number) => (n >= 100 ? `$${n.toFixed(0)}` : `$${n.toFixed(2)}`);
const big = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0));

export function costTable(costs: PipelineCost[]): string {
  const header = ['pipeline', 'AWS requests', 'Lambda invocations', 'GB-s', 'storage GB', 'requests', 'Lambda', 'logs', 'storage/month', 'total per M'];
  const rows = costs.map((c) => [c.name, big(c.awsRequests), big(c.lambdaInvocations), big(c.gbSeconds), c.storageGb.toFixed(2), usd(c.requestsUsd), usd(c.lambdaUsd), usd(c.logsUsd), usd(c.storageUsd), usd(c.totalUsd)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function measure(repoRoot: string): Promise<Measured> {
  const notes = await notesCalls();
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/etl-core.ts', 'core', '1'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const etl = JSON.parse(out.trim().split('\n').pop()!) as { rows: number; rejected: number; batchWriteCalls: number };
  return {
    notesSqsCallsPerForwarded: notes.sqsCalls / notes.forwarded,
    notesDynamoCallsPerNote: notes.dynamodbCalls / notes.notes,
    etlBatchWritesPerRow: etl.batchWriteCalls / (etl.rows - etl.rejected),
    etlBytesPerRow: (1024 * 1024) / etl.rows,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const repoRoot = fileURLToPath(new URL('../', import.meta.url));
  const all = models(await measure(repoRoot));
  console.log('\nCost per million inputs, us-east-1 on-demand, no free tier (bench/cost.ts; durations and sizes are the stated assumptions):');
  console.log(costTable(all.map(pipelineCost)));
  for (const model of all) {
    console.log(`\n${model.name}: one input = ${model.input}`);
    for (const l of model.requests) console.log(`  ${l.what}: ${big(l.quantity)} ${PRICES[l.price].unit} = ${usd(lineUsd(l))}`);
    for (const l of model.lambdas) console.log(`  Lambda ${l.fn}: ${big(l.invocations)} x ${l.memoryMb} MB x ${l.ms} ms = ${big(gbSeconds(l))} GB-s`);
    for (const l of model.storage) console.log(`  storage ${l.what}: ${l.quantity.toFixed(2)} GB = ${usd(lineUsd(l))}/month`);
    if (model.fixedMonthly) console.log(`  fixed: ${model.fixedMonthly.what} = ${usd(model.fixedMonthly.usd)}/month whatever the traffic`);
    for (const n of model.notes) console.log(`  note: ${n}`);
    console.log('  first limits as traffic grows:');
    for (const l of model.limits) console.log(`    ${l.atPerSecond === undefined ? '' : `~${Math.round(l.atPerSecond).toLocaleString('en')}/s: `}${l.limit} -> ${l.raise}`);
  }
  console.log('\nprices (us-east-1):');
  for (const [key, p] of Object.entries(PRICES)) console.log(`  ${key}: $${p.usd} per ${p.per.toLocaleString('en')} ${p.unit} (${p.source}, read ${p.seen})`);
}
