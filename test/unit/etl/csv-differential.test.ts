import { Readable } from 'node:stream';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { readCsv } from '../../../functions/etl/csv';
import { seededRandom as random } from '../../../scripts/lib/seeded-random';

const PIECES = ['a', 'b', 'xyz', '1', '42', ' ', 'é', '€', '日本', ',', '"', '""', '\n', '\r', '\r\n', '\t', "'", ';'];
const ENDINGS = ['\n', '\r\n', '\r'];

/** A well-formed CSV: fields quoted when they need it (and sometimes when not), endings mixed. */
function generatedCsv(next: () => number): { text: string; records: string[][] } {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const columns = 1 + Math.floor(next() * 5);
  const records: string[][] = [];
  let text = '';
  const rows = Math.floor(next() * 25);
  for (let r = 0; r <= rows; r++) {
    const record: string[] = [];
    const cells: string[] = [];
    for (let c = 0; c < columns; c++) {
      let value = '';
      const length = Math.floor(next() * 4);
      for (let i = 0; i < length; i++) value += pick(PIECES);
      if (r === 0) value = `h${c}${value.trim()}`; // header names: distinct, and trimmed as readCsv trims them
      record.push(value);
      // A lone field that is empty or blank would be a blank line, which both readers skip by design.
      const mustQuote = /[",\r\n]/.test(value) || (columns === 1 && value.trim() === '') || value.startsWith('"');
      cells.push(mustQuote || next() < 0.2 ? `"${value.replaceAll('"', '""')}"` : value);
    }
    records.push(record);
    text += cells.join(',');
    if (r < rows || next() < 0.7) text += pick(ENDINGS);
    if (next() < 0.1) text += pick(ENDINGS); // an empty line
  }
  return { text, records };
}

function chunksOf(bytes: Buffer, next: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const size = 1 + Math.floor(next() * 9);
    chunks.push(bytes.subarray(i, i + size));
    i += size;
  }
  return chunks;
}

describe('readCsv agrees with csv-parse on generated well-formed CSVs', function () {
  it('gives the same records on 400 files (quoted commas, quotes, CR, LF, CRLF, multi-byte text), in random chunks', async function () {
    for (let seed = 1; seed <= 400; seed++) {
      const next = random(seed);
      const { text, records } = generatedCsv(next);
      const oracle = parse(text, { record_delimiter: ['\r\n', '\n', '\r'], skip_empty_lines: true, relax_column_count: true }) as string[][];
      expect(oracle, `seed ${seed}: the generator's own records`).to.deep.equal(records);

      let header: string[] = [];
      const rows: string[][] = [];
      for await (const event of readCsv(Readable.from(chunksOf(Buffer.from(text), next)), { onHeader: (h) => (header = h) })) {
        expect(event.kind, `seed ${seed}: ${JSON.stringify(event)}`).to.equal('row');
        if (event.kind === 'row') rows.push(header.map((name) => event.values[name]!));
      }
      expect([header, ...rows], `seed ${seed}: ${JSON.stringify(text)}`).to.deep.equal(oracle);
    }
  });
});
