// `make bench`: prints the figures the issues ask for. Each measurement runs in its own process.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { notesCalls } from './notes-calls';

interface Run {
  mode: string;
  megabytes: number;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  cpuSeconds: number;
  peakRssMb: number;
  liveHeapMb?: number;
  batchWriteCalls?: number;
  rejected?: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

// Measure the code as it is deployed: bundled and minified like build.mjs does, not through tsx.
const bundle = '.cache/bench/etl-core.cjs';
await build({ entryPoints: ['bench/etl-core.ts'], outfile: bundle, bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, mainFields: ['module', 'main'], logLevel: 'error' });

const run = (mode: string, megabytes: number, nodeFlags: string[] = []): Run =>
  JSON.parse(execFileSync(process.execPath, ['--expose-gc', ...nodeFlags, bundle, mode, String(megabytes)], { encoding: 'utf8', env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' } }).trim().split('\n').pop()!) as Run;

const notes = await notesCalls();
console.log('notes pipeline (stream batches of 100 records, 80% needing a count):');
console.log(`  SQS calls per forwarded record     ${(notes.sqsCalls / notes.forwarded).toFixed(3)}  (${notes.sqsCalls} SendMessageBatch calls for ${notes.forwarded} of ${notes.records} records)`);
console.log(`  DynamoDB calls per counted note    ${(notes.dynamodbCalls / notes.notes).toFixed(3)}  (a consistent GetItem of the version's text, then one conditional UpdateItem)\n`);
console.log(`${(await import('./word-count')).wordCountLines().join('\n')}\n`);

const small = Number(process.env.BENCH_SMALL_MB ?? 10);
const large = Number(process.env.BENCH_LARGE_MB ?? 1024);

console.log(`Benchmarks (node ${process.version})\n`);
console.log('ETL (generated CSV, 2% bad rows):');
// The machine may be shared: csv-parse and the core run alternately, each pair close in time, and
// the medians are reported (wall time, and CPU time, which other work disturbs less).
const pairs = Math.max(1, Number(process.env.BENCH_ETL_PAIRS ?? 5));
const parseRuns: Run[] = [];
const coreRuns: Run[] = [];
for (let i = 0; i < pairs; i++) {
  parseRuns.push(run('csv-parse', small));
  coreRuns.push(run('core', small));
}
const coreSmall = coreRuns[0]!;
const rowsPerSecond = (runs: Run[]) => Math.round(median(runs.map((r) => r.rowsPerSecond)));
const ratio = median(coreRuns.map((core, i) => core.rowsPerSecond / parseRuns[i]!.rowsPerSecond));
const cpuRatio = median(coreRuns.map((core, i) => parseRuns[i]!.cpuSeconds / core.cpuSeconds));
console.log(`throughput on ${small} MB (${coreSmall.rows.toLocaleString('en')} rows), same file, ${pairs} alternating pairs, medians:`);
console.log(`  csv-parse alone           ${rowsPerSecond(parseRuns).toLocaleString('en').padStart(10)} rows/s`);
console.log(`  full core (stub sink)     ${rowsPerSecond(coreRuns).toLocaleString('en').padStart(10)} rows/s`);
console.log(`  ratio core / csv-parse    ${ratio.toFixed(2).padStart(10)}  (by CPU time ${cpuRatio.toFixed(2)})`);
const loaded = coreSmall.rows - (coreSmall.rejected ?? 0);
console.log(`  DynamoDB calls per row    ${((coreSmall.batchWriteCalls ?? 0) / loaded).toFixed(4).padStart(10)}  (${coreSmall.batchWriteCalls} BatchWriteItem calls for ${loaded.toLocaleString('en')} loaded rows)`);

const middle = Number(process.env.BENCH_MIDDLE_MB ?? 100);
const coreMiddle = run('core', middle);
const coreLarge = run('core', large);
const live = (r: Run) => (r.liveHeapMb === undefined ? '' : `  live heap after a full GC ${r.liveHeapMb} MB`);
console.log(`\npeak memory (RSS) of the full core:`);
const smallPeak = median(coreRuns.map((r) => r.peakRssMb));
console.log(`  ${String(small).padStart(5)} MB file  ${String(smallPeak).padStart(6)} MB  (median of ${pairs}; ${median(coreRuns.map((r) => r.seconds)).toFixed(1)} s)${live(coreSmall)}`);
console.log(`  ${String(middle).padStart(5)} MB file  ${String(coreMiddle.peakRssMb).padStart(6)} MB  (${coreMiddle.seconds.toFixed(1)} s)${live(coreMiddle)}`);
console.log(`  ${String(large).padStart(5)} MB file  ${String(coreLarge.peakRssMb).padStart(6)} MB  (${coreLarge.seconds.toFixed(1)} s, ${coreLarge.rowsPerSecond.toLocaleString('en')} rows/s)  ratio ${(coreLarge.peakRssMb / smallPeak).toFixed(2)}${live(coreLarge)}`);

// Lambda's Node bootstrap starts node with heap flags derived from the function's memory (a tenth for
// the young generation, the rest for the old): measured here for the loader's default 1,024 MB.
const lambdaMemoryMb = 1024;
const lambdaFlags = [`--max-semi-space-size=${Math.floor(lambdaMemoryMb / 10 / 2)}`, `--max-old-space-size=${lambdaMemoryMb - Math.floor(lambdaMemoryMb / 10)}`];
const lambdaSmall = run('core', small, lambdaFlags);
const lambdaLarge = run('core', Number(process.env.BENCH_LAMBDA_MB ?? 200), lambdaFlags);
console.log(`  with Lambda's heap flags for ${lambdaMemoryMb} MB (${lambdaFlags.join(' ')}):`);
for (const r of [lambdaSmall, lambdaLarge]) console.log(`  ${String(r.megabytes).padStart(5)} MB file  ${String(r.peakRssMb).padStart(6)} MB  (${r.seconds.toFixed(1)} s)${live(r)}`);
