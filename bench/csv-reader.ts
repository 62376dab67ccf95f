// The CSV reader alone, in its own process per measurement (so peak memory is its own):
//   npx tsx bench/csv-reader.ts                  # prints the table below
//   node <bundle> <reader|csv-parse|unclosed> <megabytes>
// reader vs csv-parse: records/s on the same generated file (bench/csv-source.ts, 2% bad rows), held in memory.
// unclosed: peak RSS reading an unclosed quote followed by a tail of rows (memory must stay flat).
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { readCsv } from '../functions/etl/csv';
import { generatedCsv } from './csv-source';

interface Run {
  mode: string;
  megabytes: number;
  rows: number;
  invalid: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
}

function unclosedQuoteTail(bytes: number): Readable {
  let produced = 0;
  let n = 0;
  return new Readable({
    read() {
      if (produced >= bytes) return void this.push(null);
      const lines = produced === 0 ? ['id,name,note', '1,"an unclosed quote,x'] : [];
      for (let i = 0; i < 800; i++, n++) lines.push(`${n + 2},name ${n},a note of moderate length for row ${n}`);
      const chunk = `${lines.join('\n')}\n`;
      produced += chunk.length;
      this.push(chunk);
    },
  });
}

/** The generated file held in memory first, so the generator's own time is not measured. */
async function inMemory(bytes: number): Promise<() => Readable> {
  const chunks: Buffer[] = [];
  for await (const chunk of generatedCsv(bytes)) chunks.push(Buffer.from(chunk as string));
  return () => Readable.from(chunks);
}

async function measure(mode: string, megabytes: number): Promise<Run> {
  const bytes = megabytes * 1024 * 1024;
  const file = mode === 'unclosed' ? () => unclosedQuoteTail(bytes) : await inMemory(bytes);
  const started = process.hrtime.bigint();
  let rows = 0;
  let invalid = 0;
  if (mode === 'csv-parse') {
    rows = -1; // header
    for await (const _ of file().pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: true }))) rows += 1;
  } else {
    for await (const event of readCsv(file())) {
      if (event.kind === 'row') rows += 1;
      else invalid += 1;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { mode, megabytes, rows, invalid, seconds, rowsPerSecond: Math.round((rows + invalid) / seconds), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

async function main() {
  const [mode, megabytes] = process.argv.slice(2);
  if (mode) {
    console.log(JSON.stringify(await measure(mode, Number(megabytes ?? 10))));
    return;
  }
  const { build } = await import('esbuild');
  const bundle = '.cache/bench/csv-reader.cjs';
  await build({ entryPoints: ['bench/csv-reader.ts'], outfile: bundle, bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, mainFields: ['module', 'main'], logLevel: 'error' });
  const run = (m: string, mb: number): Run => JSON.parse(execFileSync(process.execPath, [bundle, m, String(mb)], { encoding: 'utf8' }).trim().split('\n').pop()!) as Run;
  const small = Number(process.env.BENCH_SMALL_MB ?? 10);
  const parseOnly = run('csv-parse', small);
  const reader = run('reader', small);
  console.log(`CSV reader on ${small} MB (${(reader.rows + reader.invalid).toLocaleString('en')} records, node ${process.version}):`);
  console.log(`  csv-parse alone   ${parseOnly.rowsPerSecond.toLocaleString('en').padStart(10)} records/s`);
  console.log(`  readCsv           ${reader.rowsPerSecond.toLocaleString('en').padStart(10)} records/s  (ratio ${(reader.rowsPerSecond / parseOnly.rowsPerSecond).toFixed(2)})`);
  const tail = run('unclosed', 100);
  console.log(`  unclosed quote + 100 MB tail: ${tail.rows.toLocaleString('en')} rows, ${tail.invalid} invalid, peak RSS ${tail.peakRssMb} MB (${tail.seconds.toFixed(1)} s)`);
}

void main();
