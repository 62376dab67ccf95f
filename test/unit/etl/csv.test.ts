import { expect } from 'chai';
import { readCsv, type CsvEvent } from '../../../functions/etl/csv';
import { streamOf } from '../../support/etl-fixtures';

async function read(text: string, options = {}): Promise<CsvEvent[]> {
  const events: CsvEvent[] = [];
  for await (const event of readCsv(streamOf(text), options)) events.push(event);
  return events;
}

describe('readCsv', function () {
  it('reads the header, then rows with their starting line numbers', async function () {
    let header: string[] = [];
    const events = await read('a,b\n1,2\n3,4\n', { onHeader: (h: string[]) => (header = h) });
    expect(header).to.deep.equal(['a', 'b']);
    expect(events.map((e) => e.kind === 'row' && [e.line, e.values])).to.deep.equal([[2, { a: '1', b: '2' }], [3, { a: '3', b: '4' }]]);
  });

  it('strips a UTF-8 BOM and handles CRLF', async function () {
    let header: string[] = [];
    const events = await read('\ufeffa,b\r\n1,2\r\n', { onHeader: (h: string[]) => (header = h) });
    expect(header).to.deep.equal(['a', 'b']);
    expect(events).to.have.length(1);
    expect(events[0]).to.deep.include({ kind: 'row', values: { a: '1', b: '2' } });
  });

  it('keeps quoted commas and newlines, counts lines across them, and skips empty lines', async function () {
    const events = await read('a,b\r\n"x, y",1\r\n\r\n"multi\r\nline",2\r\n\n3,4\r\n');
    expect(events.map((e) => e.kind === 'row' && [e.line, e.values.a])).to.deep.equal([
      [2, 'x, y'],
      [4, 'multi\r\nline'],
      [7, '3'],
    ]);
  });

  it('reports a row with the wrong number of fields instead of dropping it', async function () {
    const events = await read('a,b\n1,2,3\n4\n5,6\n');
    expect(events.map((e) => [e.kind, e.line])).to.deep.equal([['invalid', 2], ['invalid', 3], ['row', 4]]);
    expect(events[0]).to.deep.include({ reason: 'expected 2 fields, found 3', raw: '1,2,3' });
  });

  it('reports malformed quoting', async function () {
    const events = await read('a,b\n1,2\n"bad"x,3\n');
    expect(events[0]).to.deep.include({ kind: 'row', line: 2 });
    const invalid = events.filter((e) => e.kind === 'invalid');
    expect(invalid).to.have.length.greaterThan(0);
    expect(invalid[0]).to.have.property('reason').that.matches(/malformed CSV/);
  });

  it('resumes from a byte offset and line number with a known header', async function () {
    const text = 'a,b\n1,2\n"3\n3",4\n5,6\n';
    const all = await read(text);
    const second = all[0]!;
    const rest = await (async () => {
      const events: CsvEvent[] = [];
      for await (const e of readCsv(streamOf(text.slice(second.endByte)), { header: ['a', 'b'], firstLine: second.line + 1, startByte: second.endByte })) events.push(e);
      return events;
    })();
    expect(rest).to.deep.equal(all.slice(1));
  });
});
