import { Readable } from 'node:stream';
import { expect } from 'chai';
import { readCsv } from '../../../functions/etl/csv';

const MB = 1024 * 1024;

/**
 * About `bytes` of CSV made on the fly (nothing held): an unclosed quote on line 2, then a 20 MB line
 * without any line break, then short rows to the end. Read whole by a buffering parser, this is one
 * field of the whole file.
 */
function unclosedQuoteTail(bytes: number): { stream: Readable; rows: () => number } {
  let produced = 0;
  let rows = 0;
  let longLineLeft = 20 * MB;
  const stream = new Readable({
    read() {
      if (produced >= bytes) {
        this.push(null);
        return;
      }
      let chunk: string;
      if (produced === 0) chunk = 'id,name,note\n1,"an unclosed quote,x\n';
      else if (longLineLeft > 0) {
        const size = Math.min(longLineLeft, 64 * 1024);
        longLineLeft -= size;
        chunk = `${'L'.repeat(size)}${longLineLeft === 0 ? '\r\n' : ''}`;
      } else {
        const lines: string[] = [];
        for (let i = 0; i < 800; i++) lines.push(`${rows + i + 2},name ${rows + i},a note of moderate length for row ${rows + i}`);
        rows += 800;
        chunk = `${lines.join('\n')}\n`;
      }
      produced += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, rows: () => rows };
}

describe('readCsv memory stays flat on any input', function () {
  this.timeout(120_000);

  it('reads a ~100 MB unclosed-quote tail: one invalid line, one truncated 20 MB line, every row after them', async function () {
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const started = process.hrtime.bigint();
    const { stream, rows } = unclosedQuoteTail(100 * MB);
    const invalid: { line: number; reason: string; truncated?: boolean; rawLength: number }[] = [];
    let rowEvents = 0;
    let lastLine = 0;
    let lineSequenceBroken = false;
    for await (const event of readCsv(stream)) {
      if (event.line !== lastLine + 1 && lastLine !== 0) lineSequenceBroken = true;
      lastLine = event.line;
      if (event.kind === 'invalid') invalid.push({ line: event.line, reason: event.reason, truncated: event.truncated, rawLength: event.raw.length });
      else rowEvents += 1;
      if ((rowEvents & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`      100 MB unclosed-quote tail: ${rowEvents.toLocaleString('en')} rows in ${seconds.toFixed(1)} s; RSS ${Math.round(baseline / MB)} MB -> peak ${Math.round(peak / MB)} MB (+${Math.round((peak - baseline) / MB)} MB)`);

    expect(invalid.map(({ line, truncated, rawLength }) => ({ line, truncated, rawLength }))).to.deep.equal([
      { line: 2, truncated: undefined, rawLength: '1,"an unclosed quote,x'.length },
      { line: 3, truncated: true, rawLength: 1024 * 1024 },
    ]);
    expect(invalid[0]!.reason).to.match(/^record exceeds 1048576 bytes \(possible unclosed quote: the quote opening line 2, column 2/);
    expect(invalid[1]!.reason).to.match(/^record exceeds 1048576 bytes \(line 3 alone is longer than that\)/);
    expect(rowEvents).to.equal(rows());
    expect(lineSequenceBroken).to.equal(false);
    expect(lastLine).to.equal(rows() + 3);
    // A reader that buffered the record would hold the whole tail (the old one reached 1.1 GB RSS).
    expect(peak - baseline).to.be.below(100 * MB);
  });
});
