import { Readable } from 'node:stream';
import { HEADER } from '../test/support/etl-fixtures';

// goodRow and badRow (local/scenarios/etl-rows.ts) byte for byte, with the numbers that are new on every
// row written by JSON.stringify: String() of a new number puts its text in V8's number-string cache, which
// keeps it through two scavenges into the old generation (and a fraction's text is allocated there
// directly). That was the generator's garbage, not the loader's, but it filled the old generation of the
// measured process. test/unit/etl/bench-csv-source.test.ts checks that the bytes are the same.
const number = JSON.stringify;
const goodRow = (n: number) => `ORD-${number(100000 + n)},1,user${number(n)}@example.com,SKU-${n % 50},${(n % 9) + 1},${n % 100}.5,EUR,2026-11-${String((n % 28) + 1).padStart(2, '0')},no,"note, with comma",PAID`;
const badRow = (n: number) => `ORD-${number(100000 + n)},1,not-an-email,SKU-1,0,1,EUR,2026-13-01,no,,PAID`;

/** A generated CSV of about `bytes` bytes (2% bad rows), produced on the fly: nothing is held in memory. */
export function generatedCsv(bytes: number): Readable {
  let produced = 0;
  let n = 0;
  return new Readable({
    read() {
      if (produced >= bytes) {
        this.push(null);
        return;
      }
      const lines: string[] = produced === 0 ? [HEADER] : [];
      for (let i = 0; i < 500; i++, n++) lines.push(n % 50 === 0 ? badRow(n) : goodRow(n));
      const chunk = `${lines.join('\n')}\n`;
      produced += Buffer.byteLength(chunk);
      this.push(chunk);
    },
  });
}
