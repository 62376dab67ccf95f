// The integration tier: every file starts its own moto (and redis-server) on free ports and keeps its state
// in its own temporary folders, so files run in separate worker processes at the same time. Most of the
// tier's time is waiting (the AWS provider's fixed delays around ElastiCache, visibility timeouts), not CPU.
// Run with `mocha --config test/integration/.mocharc.cjs`; INTEGRATION_JOBS=1 runs the files one at a time.
const { readdirSync } = require('node:fs');
const { join } = require('node:path');
const base = require('../../.mocharc.json');

const dir = 'test/integration';
const jobs = Number(process.env.INTEGRATION_JOBS ?? 3);
if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`INTEGRATION_JOBS must be a positive integer, got ${process.env.INTEGRATION_JOBS}`);

// Workers take files in this order: the longest first (measured, docs/benchmarks.md), so that no worker
// starts a long file when the others are nearly done. A file not listed runs after these.
const slowestFirst = [
  'moto-shim-elasticache.test.ts',
  'moto-shim-elasticache-vpc.test.ts',
  'etl.test.ts',
  'moto-shim-stepfunctions.test.ts',
  'local-eventbridge.test.ts',
  'storage-first.test.ts',
  'redrive-cli.test.ts',
];
const all = readdirSync(dir, { recursive: true })
  .map(String)
  .filter((file) => file.endsWith('.test.ts'))
  .sort();
const rank = (file) => (slowestFirst.includes(file) ? slowestFirst.indexOf(file) : slowestFirst.length);
const spec = [...all].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map((file) => join(dir, file));

// Files named on the command line (`... --config test/integration/.mocharc.cjs test/integration/etl.test.ts`)
// run alone: mocha would add them to this list rather than replace it.
const named = process.argv.some((arg) => /(^|\/)test\/integration\/.*\.test\.ts$/.test(arg));

module.exports = {
  ...base,
  timeout: 180_000,
  parallel: jobs > 1,
  jobs,
  ...(named ? {} : { spec }),
};
