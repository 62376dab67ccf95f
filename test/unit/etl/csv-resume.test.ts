import { Readable } from 'node:stream';
import { expect } from 'chai';
import { readCsv, type CsvEvent, type CsvReadOptions } from '../../../functions/etl/csv';
import { seededRandom as random } from '../../../scripts/lib/seeded-random';

const ENDINGS = ['\n', '\r\n', '\r'];
const MAX_RECORD_BYTES = 48;

/** Lines good and bad: every kind of problem the reader reports, and every kind of line break and blank. */
function generatedFile(next: () => number): Buffer {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const eol = () => pick(ENDINGS);
  const parts: Buffer[] = [Buffer.from(`${next() < 0.3 ? '\ufeff' : ''}id,name,note${eol()}`)];
  const lines = Math.floor(next() * 30);
  for (let n = 0; n < lines; n++) {
    const kind = pick(['good', 'good', 'good', 'quoted', 'multiline', 'blank', 'spaces', 'unclosed', 'after-quote', 'fields', 'latin1', 'long', 'long-quoted', 'literal-quote'] as const);
    const text = {
      good: `${n},name ${n},ok`,
      quoted: `${n},"a, ""quoted"" name","x"`,
      multiline: `${n},"two${eol()}lines","and${eol()}more"`,
      blank: '',
      spaces: pick([' ', '\t', '  \t ']),
      unclosed: `${n},"never closed,x`,
      'after-quote': `${n},"closed"then,x`,
      fields: `${n},too,many,fields`,
      latin1: `${n},caf\u00e9,x`,
      long: `${n},${'y'.repeat(MAX_RECORD_BYTES + Math.floor(next() * 40))},x`,
      'long-quoted': `${n},"${'z'.repeat(20)}${eol()}${'z'.repeat(40)}",x`,
      'literal-quote': `${n},5" screen,x`,
    }[kind];
    parts.push(Buffer.from(text, kind === 'latin1' ? 'latin1' : 'utf8'));
    if (n < lines - 1 || next() < 0.7) parts.push(Buffer.from(eol()));
  }
  return Buffer.concat(parts);
}

/** The bytes in chunks of 1 to 5 bytes, so CRLFs, quotes and multi-byte characters are split everywhere. */
function tinyChunks(bytes: Buffer, next: () => number): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const size = 1 + Math.floor(next() * 5);
    chunks.push(bytes.subarray(i, i + size));
    i += size;
  }
  return Readable.from(chunks);
}

async function read(stream: Readable, options: CsvReadOptions): Promise<CsvEvent[]> {
  const events: CsvEvent[] = [];
  for await (const event of readCsv(stream, { maxRecordBytes: MAX_RECORD_BYTES, ...options })) events.push(event);
  return events;
}

describe('readCsv resumes exactly at every event', function () {
  it('on 150 generated files mixing good rows, bad rows, lone CRs, split CRLFs and whitespace lines', async function () {
    let checked = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const next = random(seed);
      const bytes = generatedFile(next);
      let header: string[] | undefined;
      const whole = await read(tinyChunks(bytes, next), { onHeader: (h) => (header = h) });
      expect(await read(Readable.from([bytes]), {}), `seed ${seed}: the chunking changes nothing`).to.deep.equal(whole);

      // Nothing is skipped silently: between events there are only line breaks, blanks and the header.
      let covered = 0;
      for (const event of whole) {
        const gap = bytes.subarray(covered, event.startByte).toString('utf8').replace(/^\ufeff?id,name,note/, '');
        expect(gap, `seed ${seed}: bytes between events`).to.match(/^[ \t\r\n]*$/);
        covered = event.endByte;
      }
      expect(bytes.subarray(covered).toString('utf8').replace(/^\ufeff?id,name,note/, '')).to.match(/^[ \t\r\n]*$/);

      for (let i = 0; i < whole.length; i++) {
        const { endByte, nextLine } = whole[i]!;
        const rest = await read(tinyChunks(bytes.subarray(endByte), next), { header, startByte: endByte, firstLine: nextLine });
        expect(rest, `seed ${seed}: resumed after event ${i} (line ${whole[i]!.line})`).to.deep.equal(whole.slice(i + 1));
        checked += 1;
      }
    }
    expect(checked).to.be.greaterThan(1000);
  });
});
