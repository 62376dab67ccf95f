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

  it('writes the sample rows as before their numbers went through JSON.stringify (same bytes)', function () {
    const before = {
      good: (n: number) => `ORD-${String(100000 + n)},1,user${n}@example.com,SKU-${n % 50},${(n % 9) + 1},${(n % 100) + 0.5},EUR,2026-11-${String((n % 28) + 1).padStart(2, '0')},no,"note, with comma",PAID`,
      bad: (n: number) => `ORD-${String(100000 + n)},1,not-an-email,SKU-1,0,1,EUR,2026-13-01,no,,PAID`,
    };
    for (let n = 0; n < 200_000; n += 7) {
      expect(goodRow(n)).to.equal(before.good(n));
      expect(badRow(n)).to.equal(before.bad(n));
    }
    expect(goodRow(0)).to.equal('ORD-100000,1,user0@example.com,SKU-0,1,0.5,EUR,2026-11-01,no,"note, with comma",PAID');
  });
});
