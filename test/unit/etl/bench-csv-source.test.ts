import { expect } from 'chai';
import { generatedCsv } from '../../../bench/csv-source';
import { badRow, goodRow, HEADER } from '../../support/etl-fixtures';

describe("the benchmark's generated CSV", function () {
  it('is the sample rows (goodRow, every 50th a badRow) byte for byte, in 500-row chunks up to the size asked', async function () {
    const bytes = 3 * 1024 * 1024;
    const chunks: Buffer[] = [];
    for await (const chunk of generatedCsv(bytes)) chunks.push(chunk as Buffer);
    const rows = [HEADER];
    let expected = '';
    for (let n = 0; expected.length < bytes; ) {
      for (let i = 0; i < 500; i++, n++) rows.push(n % 50 === 0 ? badRow(n) : goodRow(n));
      expected += `${rows.join('\n')}\n`;
      rows.length = 0;
    }
    expect(chunks.length).to.be.above(30);
    expect(Buffer.concat(chunks).toString()).to.equal(expected);
  });
});
