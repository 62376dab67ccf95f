// Every handler zip in dist/ (make build first): its size, its load time over bare node and its cold-start
// init, measured in fresh processes on this machine.
//   npx tsx bench/handlers.ts [rounds]       (default 15 rounds)
// - load over bare node: wall time of `node -e "require('<bundle>')"` minus `node -e 0`, run as pairs
//   (the order swapped every round, so neither side always runs on a warmer cache); median of the
//   paired differences. Every handler creates its clients at module scope, so this includes them.
// - init: inside the same child, performance.now() once require() has returned, i.e. from process
//   start to the handler module's exports being ready, its config validated and clients created.
// Each child gets the environment its handler's loadConfig needs (ENV below) and fake credentials; no
// request is sent. Targets from issue 13: load over bare <= 40 ms with one client, <= 70 ms with more.
// The "floor" rows are bundles of the SDK clients alone (FLOORS), built with build.mjs's options in the
// same run: what a handler with those clients cannot load faster than, whatever its own code does.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { unzipSync } from 'fflate';

export interface Artifact {
  name: string;
  zip: string;
  bytes: number;
  clients?: string[];
}

/** Median; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Round r runs the pair as [measured, baseline] when r is even and [baseline, measured] when odd. */
export const pairOrder = (round: number): readonly ['measured', 'baseline'] | readonly ['baseline', 'measured'] =>
  round % 2 === 0 ? (['measured', 'baseline'] as const) : (['baseline', 'measured'] as const);

/** Median of measured[i] - baseline[i]: each difference comes from two runs made back to back. */
export function pairedMedian(measured: readonly number[], baseline: readonly number[]): number {
  if (measured.length !== baseline.length) throw new Error(`unpaired samples: ${measured.length} measured, ${baseline.length} baseline`);
  return median(measured.map((m, i) => m - baseline[i]!));
}

/** The load-time target of a handler with this many service clients (issue 13). */
export const loadTargetMs = (clients: number): number => (clients <= 1 ? 40 : 70);

const REDIS = { REDIS_HOST: 'redis.example.internal', REDIS_PORT: '6379', REDIS_TLS: 'true', REDIS_AUTH_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redis-auth' };
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/bench';

/** What each handler's loadConfig reads (see its *.handler.ts); a handler missing here is an error. */
export const ENV: Record<string, Record<string, string>> = {
  'etl-loader': { TABLE_NAME: 'rows', TABLE_KEY_ATTRIBUTES: 'id', LEDGER_TABLE_NAME: 'ledger', QUEUE_URL },
  'etl-sweeper': { BUCKET_NAME: 'landing', LEDGER_TABLE_NAME: 'ledger', QUEUE_URL },
  'notes-api': { TABLE_NAME: 'notes' },
  'notes-forwarder': { QUEUE_URL },
  'notes-word-count': { TABLE_NAME: 'notes' },
  'reliable-messaging-archive': { ...REDIS, ARCHIVE_BUCKET: 'archive' },
  'reliable-messaging-cleanup': { ...REDIS },
  'reliable-messaging-ingest': { ...REDIS, STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:bench', SALVAGE_BUCKET: 'salvage' },
  'reliable-messaging-salvage': { ...REDIS, SALVAGE_BUCKET: 'salvage', METADATA_TABLE: 'metadata' },
  'storage-first-processor': {},
  'streaming-events-consumer': { CONSUMED_TABLE: 'consumed' },
  'streaming-events-emitter': { EVENT_BUS_NAME: 'bench' },
  'streaming-events-storer': { TABLE_NAME: 'events' },
  'streaming-events-transformer': { QUEUE_URL },
};

/** A Lambda-like environment: only PATH from ours, so nothing (NODE_OPTIONS, a tsx loader) leaks in. */
export function lambdaEnv(name: string, own: Record<string, string> | undefined = ENV[name]): NodeJS.ProcessEnv {
  if (own === undefined) throw new Error(`bench/handlers.ts: no environment for ${name}; add what its loadConfig reads to ENV`);
  return {
    PATH: process.env.PATH,
    TZ: 'UTC',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    ...own,
  };
}

// Prints ms since process start when the module is ready, and how long require() itself took.
const CHILD = "const t=performance.now();require(process.argv[1]);const r=performance.now();process.stdout.write(JSON.stringify({require:r-t,ready:r}))";

interface Run {
  wallMs: number;
  requireMs: number;
  readyMs: number;
}

function run(args: string[], env: NodeJS.ProcessEnv): Run {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: 30_000 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.slice(0, 2).join(' ')} failed (${result.status ?? result.signal}): ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
  if (result.stdout === '') return { wallMs, requireMs: 0, readyMs: 0 };
  const { require, ready } = JSON.parse(result.stdout) as { require: number; ready: number };
  return { wallMs, requireMs: require, readyMs: ready };
}

export interface HandlerFigures {
  name: string;
  clients: number;
  /** Undefined for a floor bundle (never zipped). */
  zipKb?: number;
  loadOverBareMs: number;
  requireMs: number;
  initMs: number;
  targetMs: number;
}

/** SDK clients alone, each bundle constructing them as the handlers do. */
export const FLOORS: { name: string; clients: number; source: string }[] = [
  { name: 'floor: DynamoDB client alone', clients: 1, source: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const c = [new DynamoDBClient({})];\n" },
  {
    name: 'floor: S3 + DynamoDB + SQS clients',
    clients: 3,
    source: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { S3Client } from '@aws-sdk/client-s3';\nimport { SQSClient } from '@aws-sdk/client-sqs';\nexport const c = [new S3Client({}), new DynamoDBClient({}), new SQSClient({})];\n",
  },
  {
    name: 'floor: S3 + SFN + Secrets Manager + ioredis',
    clients: 4,
    source:
      "import { S3Client } from '@aws-sdk/client-s3';\nimport { SFNClient } from '@aws-sdk/client-sfn';\nimport { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';\nimport { Redis } from 'ioredis';\n" +
      'export const c = [new S3Client({}), new SFNClient({}), new SecretsManagerClient({}), new Redis({ lazyConnect: true })];\n',
  },
];

interface Bundle {
  name: string;
  path: string;
  env: NodeJS.ProcessEnv;
  clients: number;
  zipKb?: number;
}

/** The handler zips' index.js files, unpacked into dir. */
function handlerBundles(repoRoot: string, dir: string): Bundle[] {
  const { artifacts } = JSON.parse(readFileSync(join(repoRoot, 'dist/manifest.json'), 'utf8')) as { artifacts: Artifact[] };
  return artifacts.map((artifact) => {
    mkdirSync(join(dir, artifact.name));
    const path = join(dir, artifact.name, 'index.js');
    const index = unzipSync(readFileSync(join(repoRoot, artifact.zip)))['index.js'];
    if (index === undefined) throw new Error(`${artifact.zip} has no index.js`);
    writeFileSync(path, index);
    return { name: artifact.name, path, env: lambdaEnv(artifact.name), clients: artifact.clients?.length ?? 0, zipKb: artifact.bytes / 1024 };
  });
}

/** FLOORS built with build.mjs's esbuild options; their sources sit under the repo so node_modules resolve. */
async function floorBundles(repoRoot: string, dir: string): Promise<Bundle[]> {
  const { esbuildOptions } = (await import(pathToFileURL(join(repoRoot, 'build.mjs')).href)) as { esbuildOptions: BuildOptions };
  mkdirSync(join(repoRoot, '.cache'), { recursive: true });
  const sources = mkdtempSync(join(repoRoot, '.cache', 'bench-floors-'));
  try {
    return await Promise.all(
      FLOORS.map(async (floor, i) => {
        writeFileSync(join(sources, `floor${i}.ts`), floor.source);
        const result = await build({ ...esbuildOptions, absWorkingDir: repoRoot, entryPoints: [join(sources, `floor${i}.ts`)], sourcemap: false, write: false });
        const code = result.outputFiles?.find((f) => f.path.endsWith('index.js'))?.contents;
        if (code === undefined) throw new Error(`${floor.name}: esbuild wrote no index.js`);
        const path = join(dir, `floor${i}.js`);
        writeFileSync(path, code);
        return { name: floor.name, path, env: lambdaEnv(floor.name, {}), clients: floor.clients };
      }),
    );
  } finally {
    rmSync(sources, { recursive: true, force: true });
  }
}

export async function measureHandlers(repoRoot: string, rounds: number): Promise<{ figures: HandlerFigures[]; bareMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-handlers-'));
  try {
    const bundles = [...handlerBundles(repoRoot, dir), ...(await floorBundles(repoRoot, dir))];
    const samples = bundles.map(() => ({ measured: [] as number[], baseline: [] as number[], require: [] as number[], ready: [] as number[] }));
    const bare: number[] = [];
    for (const b of bundles) run(['-e', CHILD, b.path], b.env); // warm the file cache; not counted
    for (let round = 0; round < rounds; round++) {
      bundles.forEach((b, i) => {
        const s = samples[i]!;
        for (const side of pairOrder(round)) {
          if (side === 'baseline') {
            const r = run(['-e', '0'], b.env);
            s.baseline.push(r.wallMs);
            bare.push(r.wallMs);
          } else {
            const r = run(['-e', CHILD, b.path], b.env);
            s.measured.push(r.wallMs);
            s.require.push(r.requireMs);
            s.ready.push(r.readyMs);
          }
        }
      });
    }
    const figures = bundles.map((b, i) => {
      const s = samples[i]!;
      return {
        name: b.name,
        clients: b.clients,
        zipKb: b.zipKb,
        loadOverBareMs: pairedMedian(s.measured, s.baseline),
        requireMs: median(s.require),
        initMs: median(s.ready),
        targetMs: loadTargetMs(b.clients),
      };
    });
    return { figures, bareMs: median(bare) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function handlerTable(figures: readonly HandlerFigures[]): string {
  const header = ['handler', 'clients', 'zip KB', 'load over bare ms', 'target ms', 'require ms', 'init ms', ''];
  const verdict = (f: HandlerFigures) => (f.zipKb === undefined ? '' : f.loadOverBareMs <= f.targetMs ? 'ok' : 'OVER');
  const rows = figures.map((f) => [f.name, String(f.clients), f.zipKb?.toFixed(1) ?? '-', f.loadOverBareMs.toFixed(1), String(f.targetMs), f.requireMs.toFixed(1), f.initMs.toFixed(1), verdict(f)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rounds = Number(process.argv[2] ?? 15);
  if (!Number.isInteger(rounds) || rounds < 10) throw new Error('rounds: an integer >= 10 (the medians need at least 10 pairs)');
  const repoRoot = fileURLToPath(new URL('../', import.meta.url));
  const loadBefore = loadavg()[0]!;
  const { figures, bareMs } = await measureHandlers(repoRoot, rounds);
  const load = `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after, ${availableParallelism()} cores`;
  console.log(`\nHandlers: zip size, load over bare node (paired, median of ${rounds}), cold-start init (${process.version}, bare \`node -e 0\` ${bareMs.toFixed(1)} ms, ${load})`);
  if (Math.max(loadBefore, loadavg()[0]!) > availableParallelism()) console.log('the machine was busy (load above its cores): every figure below is inflated; compare handlers within this run only');
  console.log(handlerTable(figures));
  console.log('require ms: require() of the bundle in the child, clients included; init ms: process start to exports ready;');
  console.log('floor rows: the SDK clients alone, built like the handlers (a handler with those clients cannot load faster).');
  const over = figures.filter((f) => f.zipKb !== undefined && f.loadOverBareMs > f.targetMs);
  if (over.length > 0) console.log(`over the load-time target: ${over.map((f) => f.name).join(', ')}`);
}
