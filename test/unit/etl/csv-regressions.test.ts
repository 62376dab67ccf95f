import { Readable } from 'node:stream';
import { expect } from 'chai';
import { readCsv, DEFAULT_MAX_RECORD_BYTES, type CsvEvent, type CsvReadOptions } from '../../../functions/etl/csv';

const chunked = (bytes: Buffer, size: number) => {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
};

async function read(input: string | Buffer, options: CsvReadOptions = {}, chunkSize = 7): Promise<CsvEvent[]> {
  const events: CsvEvent[] = [];
  for await (const event of readCsv(chunked(Buffer.isBuffer(input) ? input : Buffer.from(input), chunkSize), options)) events.push(event);
  return events;
}

/** Reads the whole input, then resumes after each event, and checks the tail is the same. */
async function expectResumable(input: string | Buffer, header: string[], options: CsvReadOptions = {}): Promise<CsvEvent[]> {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const whole = await read(bytes, options);
  for (let i = 0; i < whole.length; i++) {
    const { endByte, nextLine } = whole[i]!;
    const rest = await read(bytes.subarray(endByte), { ...options, header, startByte: endByte, firstLine: nextLine }, 3);
    expect(rest, `resumed after event ${i}`).to.deep.equal(whole.slice(i + 1));
  }
  return whole;
}

const summary = (events: CsvEvent[]) => events.map((e) => (e.kind === 'row' ? [e.line, 'row', Object.values(e.values).join('|')] : [e.line, 'invalid', e.raw]));

describe('readCsv regressions (issue 9, ETL items 3-5)', function () {
  it('a stray quote inside a quoted field is one invalid line; the rows after it load, none merged or lost', async function () {
    const events = await read('id,name\n1,"Bob "the" builder"\n2,Ann\n3,Zoe\n');
    expect(summary(events)).to.deep.equal([
      [2, 'invalid', '1,"Bob "the" builder"'],
      [3, 'row', '2|Ann'],
      [4, 'row', '3|Zoe'],
    ]);
    expect(events[0]).to.have.property('reason').that.matches(/malformed CSV: at line 2, column 2 \(byte 16\): a closing quote is followed by "t"/);
  });

  it('a quote inside an unquoted field is an ordinary character (csv-spectrum, spreadsheets): the row is read whole', async function () {
    const events = await read('id,size\n1,5" screen\n2,7\n');
    expect(summary(events)).to.deep.equal([
      [2, 'row', '1|5" screen'],
      [3, 'row', '2|7'],
    ]);
  });

  it('an unclosed quote quarantines its first line only; the rows it would have swallowed load', async function () {
    const events = await read('id,name\n1,"Bob\n2,Ann\n3,Zoe\n');
    expect(summary(events)).to.deep.equal([
      [2, 'invalid', '1,"Bob'],
      [3, 'row', '2|Ann'],
      [4, 'row', '3|Zoe'],
    ]);
    expect(events[0]).to.have.property('reason', 'malformed CSV: the quote opening line 2, column 2 (byte 10) is never closed');
  });

  it('an unclosed quote closed by a later stray quote does not merge the lines between', async function () {
    const events = await read('id,name\n1,"Bob\n2,Ann\n3,"Zoe" Smith\n4,Max\n');
    expect(summary(events)).to.deep.equal([
      [2, 'invalid', '1,"Bob'],
      [3, 'row', '2|Ann'],
      [4, 'invalid', '3,"Zoe" Smith'],
      [5, 'row', '4|Max'],
    ]);
  });

  it('a multi-line record with the wrong number of fields reports its first line and reads on from the second', async function () {
    const events = await read('id,name\n1,"Bob\n2,Ann",x\n3,Zoe\n');
    expect(summary(events)).to.deep.equal([
      [2, 'invalid', '1,"Bob'],
      [3, 'invalid', '2,Ann",x'],
      [4, 'row', '3|Zoe'],
    ]);
    expect(events[0]).to.have.property('reason').that.matches(/^expected 2 fields, found 3 in a record spanning lines 2-3/);
  });

  it('after an invalid record the resume offset advances: a hand-off never re-reads or renumbers it', async function () {
    const text = 'id,name\n1,"x"y\n2,Ann\n3,four,fields\n4,Zoe\n';
    const events = await expectResumable(text, ['id', 'name']);
    expect(events.map((e) => [e.kind, e.line])).to.deep.equal([['invalid', 2], ['row', 3], ['invalid', 4], ['row', 5]]);
    const rest = await read(Buffer.from(text).subarray(events[0]!.endByte), { header: ['id', 'name'], startByte: events[0]!.endByte, firstLine: events[0]!.nextLine });
    expect(rest.map((e) => [e.kind, e.line])).to.deep.equal([['row', 3], ['invalid', 4], ['row', 5]]);
  });

  it('a lone CR (classic Mac) is a line break, with the same line numbers whole and resumed', async function () {
    const events = await expectResumable('id,name\r1,Ann\r2,"two\rlines"\r3,Zoe\r', ['id', 'name']);
    expect(summary(events)).to.deep.equal([
      [2, 'row', '1|Ann'],
      [3, 'row', '2|two\rlines'],
      [5, 'row', '3|Zoe'],
    ]);
  });

  it('mixed LF, CRLF and CR count one line each, also with a CRLF split across chunks', async function () {
    const text = 'id,name\r\n1,Ann\n2,Bob\r3,Cy\r\n\r\n4,"a\r\nb\nc\rd"\r5,Eve';
    for (const chunkSize of [1, 2, 3, 9, 100]) {
      const events = await read(text, {}, chunkSize);
      expect(summary(events), `chunks of ${chunkSize}`).to.deep.equal([
        [2, 'row', '1|Ann'],
        [3, 'row', '2|Bob'],
        [4, 'row', '3|Cy'],
        [6, 'row', '4|a\r\nb\nc\rd'],
        [10, 'row', '5|Eve'],
      ]);
    }
    await expectResumable(text, ['id', 'name']);
  });

  it('a whitespace-only line is skipped like a blank one, and counted', async function () {
    const events = await expectResumable('id,name\n1,Ann\n   \n\t\n \t \r\n\n2,Bob\n  ', ['id', 'name']);
    expect(summary(events)).to.deep.equal([
      [2, 'row', '1|Ann'],
      [7, 'row', '2|Bob'],
    ]);
  });

  it('strips a UTF-8 BOM at byte 0 only', async function () {
    let header: string[] = [];
    await read('\ufeffid,name\n1,Ann\n', { onHeader: (h) => (header = h) }, 1);
    expect(header).to.deep.equal(['id', 'name']);
    const resumed = await read('\ufeff1,Ann\n', { header: ['id', 'name'], startByte: 100, firstLine: 5 });
    expect(summary(resumed)).to.deep.equal([[5, 'row', '\ufeff1|Ann']]);
  });

  it('a Latin-1 byte is not loaded as U+FFFD: its record is invalid with the byte offset, rawBase64 keeps the bytes', async function () {
    const bytes = Buffer.concat([Buffer.from('id,name\n1,Ann\n2,Ren'), Buffer.from([0xe9]), Buffer.from('e\n3,Zoe\n')]);
    const events = await read(bytes);
    expect(summary(events)).to.deep.equal([
      [2, 'row', '1|Ann'],
      [3, 'invalid', '2,Ren\ufffde'],
      [4, 'row', '3|Zoe'],
    ]);
    expect(events[1]).to.deep.include({
      reason: 'invalid UTF-8 at byte 19 (0xE9) in line 3, column 2; set the schema\'s encoding (e.g. "latin1") if the file is not UTF-8',
      rawBase64: Buffer.from([...Buffer.from('2,Ren'), 0xe9, ...Buffer.from('e')]).toString('base64'),
    });
    expect(Buffer.from((events[1] as { rawBase64: string }).rawBase64, 'base64')).to.deep.equal(bytes.subarray(14, 21));
  });

  it("with encoding 'latin1' the same bytes decode properly", async function () {
    const bytes = Buffer.concat([Buffer.from('id,name\n2,Ren'), Buffer.from([0xe9]), Buffer.from('e\n')]);
    const events = await read(bytes, { encoding: 'latin1' });
    expect(summary(events)).to.deep.equal([[2, 'row', '2|Renée']]);
  });

  it('a record over maxRecordBytes (an unclosed quote before a long tail) has a clear reason and reading goes on at the next line', async function () {
    const tail = Array.from({ length: 3000 }, (_, i) => `${i + 3},row ${i}`).join('\n');
    const events = await read(`id,name\n1,"never closed\n${tail}\n`, { maxRecordBytes: 1000 }, 64);
    expect(events).to.have.length(3001);
    expect(events[0]).to.deep.include({ kind: 'invalid', line: 2, nextLine: 3, raw: '1,"never closed' });
    expect(events[0]).to.have.property('reason').that.matches(/^record exceeds 1000 bytes \(possible unclosed quote: the quote opening line 2, column 2 \(byte 10\)\)/);
    expect(events.slice(1).every((e) => e.kind === 'row')).to.equal(true);
    expect(events[3000]).to.deep.include({ line: 3002, values: Object.assign(Object.create(null) as object, { id: '3002', name: 'row 2999' }) });
  });

  it('a line longer than maxRecordBytes is reported truncated, with truncated: true, and skipped', async function () {
    const events = await read(`id,name\n1,${'x'.repeat(5000)}\r\n2,Ann\n`, { maxRecordBytes: 100 }, 10);
    expect(events[0]).to.deep.include({ kind: 'invalid', line: 2, nextLine: 3, raw: `1,${'x'.repeat(98)}`, truncated: true, startByte: 8, endByte: 5012 });
    expect(summary(events.slice(1))).to.deep.equal([[3, 'row', '2|Ann']]);
    expect(DEFAULT_MAX_RECORD_BYTES).to.equal(1048576);
  });

  it('header names __proto__ and constructor are plain columns; a duplicate name keeps both values', async function () {
    const events = await read('__proto__,constructor,id,id\nx,y,1,2\n');
    expect(events).to.have.length(1);
    const values = (events[0] as { values: Record<string, string> }).values;
    expect(Object.getPrototypeOf(values)).to.equal(null);
    expect(Object.entries(values)).to.deep.equal([
      ['__proto__', 'x'],
      ['constructor', 'y'],
      ['id', '1'],
      ['id#4', '2'],
    ]);
    const empty = await read('a,,\n1,2,3\n');
    expect(Object.entries((empty[0] as { values: Record<string, string> }).values)).to.deep.equal([
      ['a', '1'],
      ['', '2'],
      ['#3', '3'],
    ]);
  });

  it('an invalid header record is reported as such; the next record is then the header', async function () {
    const headers: string[][] = [];
    const events = await read('id,"name\nid,name\n1,Ann\n', { onHeader: (h) => headers.push(h) });
    expect(events[0]).to.deep.include({ kind: 'invalid', line: 1, raw: 'id,"name', reason: 'header: malformed CSV: the quote opening line 1, column 2 (byte 3) is never closed' });
    expect(headers).to.deep.equal([['id', 'name']]);
    expect(summary(events.slice(1))).to.deep.equal([[3, 'row', '1|Ann']]);
  });

  it('an empty header option means the header is read from the stream (a checkpoint taken before it)', async function () {
    let header: string[] = [];
    const events = await read('id,name\n1,Ann\n', { header: [], onHeader: (h) => (header = h) });
    expect(header).to.deep.equal(['id', 'name']);
    expect(summary(events)).to.deep.equal([[2, 'row', '1|Ann']]);
  });

  it('an aborted read returns promptly, even in the middle of a record that never ends', async function () {
    const controller = new AbortController();
    let produced = 0;
    // Chunks arrive as from a socket (one per event-loop turn), never a line break after the open quote.
    const endless = new Readable({
      read() {
        produced += 1;
        setImmediate(() => this.push(produced === 1 ? 'id,name\n1,"' : 'still inside the quote '.repeat(100)));
      },
    });
    const events: CsvEvent[] = [];
    setTimeout(() => controller.abort(), 50);
    for await (const event of readCsv(endless, { signal: controller.signal })) events.push(event);
    expect(events).to.deep.equal([]);
    expect(endless.destroyed).to.equal(true);
  });

  it('an aborted read returns while the stream is stalled', async function () {
    const controller = new AbortController();
    const stalled = new Readable({ read() {} });
    stalled.push('id,name\n1,Ann\n2,"B');
    const events: CsvEvent[] = [];
    setTimeout(() => controller.abort(), 20);
    for await (const event of readCsv(stalled, { signal: controller.signal })) events.push(event);
    expect(summary(events)).to.deep.equal([[2, 'row', '1|Ann']]);
  });
});
