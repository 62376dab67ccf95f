import { Transform, type Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';

/** line: where the record starts; nextLine and endByte: where the next one starts (to resume). */
export type CsvEvent =
  | { kind: 'row'; line: number; nextLine: number; values: Record<string, string>; endByte: number }
  | { kind: 'invalid'; line: number; nextLine: number; reason: string; raw: string; endByte: number };

export interface CsvReadOptions {
  /** Column names when resuming mid-file; otherwise the first record is the header. */
  header?: string[];
  /** Line number of the first byte of the stream (resuming). */
  firstLine?: number;
  /** Byte offset of the stream within the object (resuming), added to endByte. */
  startByte?: number;
  onHeader?: (header: string[]) => void;
}

const LF = 0x0a;

/**
 * Counts line feeds up to a byte position of the stream it taps, keeping only the chunks the parser
 * has read but the count has not passed yet (memory stays flat on any file size).
 */
class LineCounter {
  private chunks: Buffer[] = [];
  private offset = 0; // stream position of chunks[0][0]
  private cursor = 0; // stream position counted up to
  private lines = 0; // line feeds before cursor

  readonly tap = new Transform({
    transform: (chunk: Buffer, _encoding, done) => {
      this.chunks.push(chunk);
      done(null, chunk);
    },
  });

  lineFeedsBefore(position: number): number {
    while (this.cursor < position && this.chunks.length > 0) {
      const chunk = this.chunks[0]!;
      const end = Math.min(position, this.offset + chunk.length);
      for (let i = this.cursor - this.offset; i < end - this.offset; i++) if (chunk[i] === LF) this.lines += 1;
      this.cursor = end;
      if (end === this.offset + chunk.length) {
        this.chunks.shift();
        this.offset = end;
      }
    }
    return this.lines;
  }

  byteAt(position: number): number | undefined {
    let start = this.offset;
    for (const chunk of this.chunks) {
      if (position < start + chunk.length) return position >= start ? chunk[position - start] : undefined;
      start += chunk.length;
    }
    return undefined;
  }
}

const countLineFeeds = (text: string) => (text.match(/\n/g) ?? []).length;

/**
 * Streams CSV records with their starting line numbers and the object byte offset after each, which
 * is where a later invocation can resume. Handles a UTF-8 BOM, CRLF (and mixed line endings),
 * quoted fields with commas and newlines, and empty lines. Malformed records are reported, never
 * dropped.
 */
export async function* readCsv(stream: Readable, options: CsvReadOptions = {}): AsyncGenerator<CsvEvent> {
  const startByte = options.startByte ?? 0;
  const firstLine = options.firstLine ?? 1;
  const counter = new LineCounter();
  const parser = stream.pipe(counter.tap).pipe(
    parse({
      bom: startByte === 0,
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
      info: true,
      raw: true,
    }),
  );
  stream.on('error', (error) => parser.destroy(error));

  let header = options.header;
  let nextLine = firstLine;
  let lastEndByte = startByte;

  for await (const item of inParserOrder(parser)) {
    if ('error' in item) {
      const raw = typeof item.error.raw === 'string' ? item.error.raw.replace(/[\r\n]+$/, '') : '';
      const line = nextLine;
      nextLine += 1 + countLineFeeds(raw);
      yield { kind: 'invalid', line, nextLine, reason: `malformed CSV: ${item.error.message}`, raw, endByte: lastEndByte };
      continue;
    }
    const { record, info, raw } = item;
    // The record ends at info.bytes, after its line break (if any); its first line is its last line
    // minus the line feeds inside its quoted fields.
    const end = info.bytes;
    const terminated = counter.byteAt(end - 1) === LF;
    const lastLine = firstLine + counter.lineFeedsBefore(terminated ? end - 1 : end);
    const line = lastLine - record.reduce((sum, field) => sum + countLineFeeds(field), 0);
    counter.lineFeedsBefore(end);
    nextLine = lastLine + 1;
    lastEndByte = startByte + end;

    if (!header) {
      header = record.map((name) => name.trim());
      options.onHeader?.(header);
      continue;
    }
    if (record.length !== header.length) {
      yield { kind: 'invalid', line, nextLine, reason: `expected ${header.length} fields, found ${record.length}`, raw: raw.replace(/^[\r\n]+|[\r\n]+$/g, ''), endByte: lastEndByte };
      continue;
    }
    const values: Record<string, string> = {};
    header.forEach((name, i) => (values[name] = record[i]!));
    yield { kind: 'row', line, nextLine, values, endByte: lastEndByte };
  }
}

type ParsedRecord = { record: string[]; info: { bytes: number }; raw: string };

/**
 * Records and skipped-record errors in the order the parser met them (async iteration alone would
 * deliver a skip before records still buffered ahead of it), with backpressure.
 */
async function* inParserOrder(parser: Transform): AsyncGenerator<ParsedRecord | { error: CsvError }> {
  const queue: (ParsedRecord | { error: CsvError })[] = [];
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  parser.on('data', (record: ParsedRecord) => {
    queue.push(record);
    if (queue.length >= 1000) parser.pause();
    notify();
  });
  parser.on('skip', (error: CsvError) => {
    queue.push({ error });
    notify();
  });
  parser.on('end', () => {
    done = true;
    notify();
  });
  parser.on('error', (error: Error) => {
    failure = error;
    notify();
  });
  for (;;) {
    if (queue.length > 0) {
      yield queue.shift()!;
      if (queue.length < 100 && parser.isPaused()) parser.resume();
      continue;
    }
    if (failure) throw failure;
    if (done) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}
