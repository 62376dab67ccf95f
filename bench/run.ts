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

const run = (mode: string, megabytes: number): Run =>
  JSON.parse(execFileSync(process.execPath, [bundle, mode, String(megabytes)], { encoding: 'utf8', env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' } }).trim().split('\n').pop()!) as Run;

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

const coreLarge = run('core', large);
console.log(`\npeak memory (RSS) of the full core:`);
const smallPeak = median(coreRuns.map((r) => r.peakRssMb));
console.log(`  ${String(small).padStart(5)} MB file  ${String(smallPeak).padStart(6)} MB  (median of ${pairs}; ${median(coreRuns.map((r) => r.seconds)).toFixed(1)} s)`);
console.log(`  ${String(large).padStart(5)} MB file  ${String(coreLarge.peakRssMb).padStart(6)} MB  (${coreLarge.seconds.toFixed(1)} s, ${coreLarge.rowsPerSecond.toLocaleString('en')} rows/s)  ratio ${(coreLarge.peakRssMb / smallPeak).toFixed(2)}`);
