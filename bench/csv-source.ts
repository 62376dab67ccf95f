import { Readable } from 'node:stream';
import { badRow, goodRow, HEADER } from '../test/support/etl-fixtures';

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
