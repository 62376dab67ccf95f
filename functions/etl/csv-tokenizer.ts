import { isAscii, isUtf8 } from 'node:buffer';
import type { CsvEvent, CsvReadOptions } from './csv';
import { firstInvalidUtf8 } from '../lib/utf8';

export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

// Results of one scan attempt from a record start.
const INCOMPLETE = 0; // the data ends before the record does
const BLANK = 1; // an empty or whitespace-only line
const RECORD = 2;
const AFTER_QUOTE = 3; // a character after a closing quote that is not a delimiter or line break
const UNCLOSED = 4; // end of data inside a quoted field

type Mode = 'records' | 'first-line' | 'skip';

/**
 * Finds the next occurrence of one byte with indexOf and remembers the stretch it searched, so asking
 * again from any position inside that stretch (or just before it, after a rewind) costs nothing.
 */
class ByteFinder {
  private from = Infinity; // no occurrence in [from, at)
  private at = Infinity; // Infinity: none up to the end of the buffer

  constructor(private readonly byte: number) {}

  reset(): void {
    this.from = this.at = Infinity;
  }

  /** Position of the first occurrence at or after from, Infinity if none. */
  find(buf: Buffer, from: number): number {
    if (from >= this.from && from <= this.at) return this.at;
    if (from < this.from && this.from !== Infinity && from <= this.at) {
      const i = buf.subarray(from, this.from).indexOf(this.byte);
      if (i >= 0) this.at = from + i;
      this.from = from;
      return this.at;
    }
    const i = buf.indexOf(this.byte, from);
    this.from = from;
    this.at = i < 0 ? Infinity : i;
    return this.at;
  }
}

const hex = (byte: number) => `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * Lets a later column with a name already used be addressed as `name#<column number>`, so no value of
 * a row is lost to a duplicate header (headerProblems reports the duplicate).
 */
export function columnKeys(header: readonly string[]): string[] {
  const names = new Set(header);
  const used = new Set<string>();
  return header.map((name, i) => {
    let key = name;
    if (used.has(key)) {
      key = `${name}#${i + 1}`;
      while (names.has(key) || used.has(key)) key = `${key}#${i + 1}`;
    }
    used.add(key);
    return key;
  });
}

/**
 * The synchronous core of readCsv: an RFC 4180 state machine over Buffers (comma delimiter; a quote
 * opens a quoted field only at the field's start, elsewhere it is an ordinary character, as in the
 * csv-spectrum suite and spreadsheets; `""` is a quote inside a quoted field; a closing quote must be
 * followed by a comma, a line break or the end). Feed it chunks with push(), call end() after the last, and take
 * events with next() until it answers undefined (it needs more data, or it is done).
 *
 * It keeps the bytes from the start of the record in progress (at most maxRecordBytes + 2 of them, plus
 * the chunk that arrived last), so after a malformed record it can report the record's first physical
 * line alone and start again at the line after it. A line longer than the limit is reported truncated
 * and the rest of it is skipped without being kept.
 */
export class CsvTokenizer {
  private readonly maxRecordBytes: number;
  private readonly window: number;
  private readonly latin1: boolean;
  private readonly onHeader?: (header: string[]) => void;

  private header?: string[];
  private keys: string[] = [];
  private line: number;
  private bomPending: boolean;

  // Data: buf[pos..] is unread, pending chunks come after it; base is the object offset of buf[0].
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private base: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;
  /** Bytes needed from pos before the next attempt: the wait doubles, so a long record is rescanned O(log n) times. */
  private need = 0;
  private bufAscii = true;
  private bufText?: string;

  private mode: Mode = 'records';
  private invalidReason = '';
  private skipRaw: Buffer = Buffer.alloc(0);
  private skipStart = 0;
  private skipSawCr = false;

  // Results of the last scan.
  private fieldCount = 0;
  private starts: number[] = [];
  private ends: number[] = [];
  private escaped: boolean[] = [];
  private contentEnd = 0;
  private recordEnd = 0;
  private breaks = 0;
  private errorAt = 0;
  private errorField = 0;
  private openQuote = -1;
  private openQuoteField = 0;
  private firstMultiline = -1;
  private firstMultilineField = 0;

  private readonly lf = new ByteFinder(LF);
  private readonly cr = new ByteFinder(CR);

  constructor(options: CsvReadOptions = {}) {
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    if (!Number.isSafeInteger(this.maxRecordBytes) || this.maxRecordBytes < 1) throw new Error(`maxRecordBytes must be a positive integer, got ${options.maxRecordBytes}`);
    this.window = this.maxRecordBytes + 2;
    this.latin1 = options.encoding === 'latin1';
    this.onHeader = options.onHeader;
    if (options.header && options.header.length > 0) this.useHeader(options.header);
    this.line = options.firstLine ?? 1;
    this.base = options.startByte ?? 0;
    this.bomPending = this.base === 0 && !this.latin1;
  }

  push(chunk: Buffer): void {
    if (this.ended) throw new Error('push after end');
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
  }

  end(): void {
    this.ended = true;
  }

  /** The next event, or undefined when more data is needed (or, after end(), when there is none). */
  next(): CsvEvent | undefined {
    for (;;) {
      const event = this.step();
      if (event !== undefined) {
        if (event !== null) return event;
        continue;
      }
      const available = this.buf.length - this.pos + this.pendingBytes;
      if (this.pendingBytes > 0 && (available >= this.need || this.ended)) {
        this.fill();
        continue;
      }
      return undefined;
    }
  }

  private fill(): void {
    this.buf = Buffer.concat([this.buf.subarray(this.pos), ...this.pending]);
    this.base += this.pos;
    this.pos = 0;
    this.pending = [];
    this.pendingBytes = 0;
    this.bufAscii = isAscii(this.buf);
    this.bufText = undefined;
    this.lf.reset();
    this.cr.reset();
  }

  private get atEnd(): boolean {
    return this.ended && this.pendingBytes === 0;
  }

  private waitFor(bytes: number): undefined {
    this.need = bytes;
    return undefined;
  }

  /** An event; null when something was consumed without one (blank line, header); undefined when it needs data. */
  private step(): CsvEvent | null | undefined {
    if (this.mode === 'skip') return this.stepSkip();
    if (this.mode === 'first-line') return this.stepFirstLine();
    const buf = this.buf;
    const p = this.pos;
    const eof = this.atEnd;
    const available = buf.length - p;
    if (available === 0) return eof ? undefined : this.waitFor(1);
    if (this.bomPending) {
      if (available < 3 && !eof) return this.waitFor(3);
      this.bomPending = false;
      if (buf[p] === 0xef && buf[p + 1] === 0xbb && buf[p + 2] === 0xbf) this.pos += 3;
      return null;
    }
    const end = Math.min(buf.length, p + this.window);
    const code = this.scan(p, end, eof && end === buf.length);
    if (code === INCOMPLETE) {
      if (end - p >= this.window) return this.startInvalid(this.tooLargeReason(p, true));
      return this.waitFor(Math.min(Math.max(2 * available, available + 1), this.window));
    }
    this.need = 0;
    if (code === BLANK) {
      this.line += 1;
      this.pos = this.recordEnd;
      return null;
    }
    if (code === AFTER_QUOTE) {
      const closedAt = this.line + this.countBreaks(p, this.errorAt);
      const problem =
        closedAt > this.line + this.countBreaks(p, this.openQuote)
          ? `the quote opening ${this.where(p, this.openQuote, this.errorField)} is closed at line ${closedAt} and followed by ${this.describeByte(this.errorAt)} (byte ${this.base + this.errorAt})`
          : `at ${this.where(p, this.errorAt, this.errorField)}: a closing quote is followed by ${this.describeByte(this.errorAt)}`;
      return this.startInvalid(`malformed CSV: ${problem}, not by a comma or line break (a quote inside a quoted field must be doubled)`);
    }
    if (code === UNCLOSED) return this.startInvalid(`malformed CSV: the quote opening ${this.where(p, this.errorAt, this.errorField)} is never closed`);

    // A complete record.
    if (this.contentEnd - p > this.maxRecordBytes) return this.startInvalid(this.tooLargeReason(p, false));
    const lastLine = this.line + this.breaks - (this.recordEnd > this.contentEnd ? 1 : 0);
    if (this.header && this.fieldCount !== this.header.length && lastLine > this.line) {
      const quote = this.firstMultiline >= 0 ? ` (possibly an unbalanced quote: ${this.where(p, this.firstMultiline, this.firstMultilineField)})` : '';
      return this.startInvalid(`expected ${this.header.length} fields, found ${this.fieldCount} in a record spanning lines ${this.line}-${lastLine}${quote}; only its first line is reported, reading resumes at line ${this.line + 1}`);
    }
    if (!this.latin1 && !this.bufAscii) {
      const bytes = buf.subarray(p, this.contentEnd);
      if (!isAscii(bytes) && !isUtf8(bytes)) {
        const at = p + Math.max(firstInvalidUtf8(bytes), 0);
        const field = this.fieldAt(at);
        return this.recordInvalid(
          `invalid UTF-8 at byte ${this.base + at} (${hex(buf[at]!)}) in ${this.where(p, at, field, false)}; set the schema's encoding (e.g. "latin1") if the file is not UTF-8`,
        );
      }
    }
    if (!this.header) {
      const names: string[] = [];
      for (let i = 0; i < this.fieldCount; i++) names.push(this.field(i).trim());
      this.useHeader(names);
      this.onHeader?.(names);
      this.advance();
      return null;
    }
    if (this.fieldCount !== this.header.length) return this.recordInvalid(`expected ${this.header.length} fields, found ${this.fieldCount}`);
    const values = Object.create(null) as Record<string, string>;
    for (let i = 0; i < this.fieldCount; i++) values[this.keys[i]!] = this.field(i);
    const line = this.line;
    this.advance();
    return { kind: 'row', line, nextLine: this.line, startByte: this.base + p, endByte: this.base + this.pos, values };
  }

  private useHeader(header: string[]): void {
    this.header = header;
    this.keys = columnKeys(header);
  }

  /** Moves past the record just scanned (the line after it is the next line even without a final line break). */
  private advance(): null {
    this.line += this.breaks + (this.recordEnd > this.contentEnd ? 0 : 1);
    this.pos = this.recordEnd;
    return null;
  }

  /** The whole (well-formed) record is invalid. */
  private recordInvalid(reason: string): CsvEvent {
    const line = this.line;
    const startByte = this.base + this.pos;
    const raw = this.rawOf(this.buf.subarray(this.pos, this.contentEnd), false);
    this.advance();
    return { kind: 'invalid', line, nextLine: this.line, startByte, endByte: this.base + this.pos, reason: this.header ? reason : `header: ${reason}`, ...raw };
  }

  /** The record is malformed: its first physical line is reported, then reading restarts after that line. */
  private startInvalid(reason: string): null {
    this.need = 0;
    this.mode = 'first-line';
    this.invalidReason = this.header ? reason : `header: ${reason}`;
    return null;
  }

  private stepFirstLine(): CsvEvent | undefined {
    const buf = this.buf;
    const p = this.pos;
    const eof = this.atEnd;
    const available = buf.length - p;
    const t = this.firstBreak(p);
    let lineEnd: number;
    let next: number;
    if (t >= 0) {
      if (buf[t] === CR && t + 1 === buf.length && !eof) return this.waitFor(available + 1);
      lineEnd = t;
      next = buf[t] === CR && buf[t + 1] === LF ? t + 2 : t + 1;
    } else if (eof) {
      lineEnd = next = buf.length;
    } else if (available > this.maxRecordBytes) {
      // The line alone is over the limit: keep its first maxRecordBytes, drop the rest as it comes.
      this.mode = 'skip';
      this.skipRaw = Buffer.from(buf.subarray(p, p + this.maxRecordBytes));
      this.skipStart = this.base + p;
      this.skipSawCr = false;
      this.pos = buf.length;
      this.need = 1;
      return undefined;
    } else {
      return this.waitFor(Math.min(Math.max(2 * available, available + 1), this.maxRecordBytes + 1));
    }
    const truncated = lineEnd - p > this.maxRecordBytes;
    const raw = buf.subarray(p, truncated ? p + this.maxRecordBytes : lineEnd);
    return this.finishInvalidLine(this.base + p, this.base + next, raw, truncated, next);
  }

  private stepSkip(): CsvEvent | undefined {
    const buf = this.buf;
    const eof = this.atEnd;
    let p = this.pos;
    if (this.skipSawCr) {
      if (p === buf.length && !eof) return this.waitFor(1);
      if (buf[p] === LF) p += 1;
      return this.finishInvalidLine(this.skipStart, this.base + p, this.skipRaw, true, p);
    }
    const t = this.firstBreak(p);
    if (t < 0) {
      if (eof) return this.finishInvalidLine(this.skipStart, this.base + buf.length, this.skipRaw, true, buf.length);
      this.pos = buf.length;
      return this.waitFor(1);
    }
    if (buf[t] === LF) return this.finishInvalidLine(this.skipStart, this.base + t + 1, this.skipRaw, true, t + 1);
    if (t + 1 < buf.length) {
      const next = buf[t + 1] === LF ? t + 2 : t + 1;
      return this.finishInvalidLine(this.skipStart, this.base + next, this.skipRaw, true, next);
    }
    if (eof) return this.finishInvalidLine(this.skipStart, this.base + t + 1, this.skipRaw, true, t + 1);
    this.skipSawCr = true;
    this.pos = buf.length;
    return this.waitFor(1);
  }

  private finishInvalidLine(startByte: number, endByte: number, raw: Buffer, truncated: boolean, next: number): CsvEvent {
    const line = this.line;
    this.line += 1;
    this.pos = next;
    this.mode = 'records';
    this.need = 0;
    this.skipRaw = Buffer.alloc(0);
    this.skipSawCr = false;
    return { kind: 'invalid', line, nextLine: this.line, startByte, endByte, reason: this.invalidReason, ...this.rawOf(raw, truncated) };
  }

  private rawOf(bytes: Buffer, truncated: boolean): { raw: string; rawBase64?: string; truncated?: true } {
    const exact = this.latin1 || isUtf8(bytes);
    return {
      raw: bytes.toString(this.latin1 ? 'latin1' : 'utf8'),
      ...(!exact && { rawBase64: bytes.toString('base64') }),
      ...(truncated && { truncated: true as const }),
    };
  }

  private field(i: number): string {
    const start = this.starts[i]!;
    const end = this.ends[i]!;
    let text: string;
    if (this.latin1 || this.bufAscii) {
      this.bufText ??= this.buf.toString('latin1');
      text = this.bufText.slice(start, end);
    } else {
      text = this.buf.toString('utf8', start, end);
    }
    return this.escaped[i] ? text.replaceAll('""', '"') : text;
  }

  private fieldAt(at: number): number {
    let field = 1;
    for (let i = 0; i < this.fieldCount; i++) if (this.starts[i]! <= at) field = i + 1;
    return field;
  }

  /** "line L, column C (byte B)" of a position inside the record starting at p. */
  private where(p: number, at: number, field: number, byte = true): string {
    return `line ${this.line + this.countBreaks(p, at)}, column ${field}${byte ? ` (byte ${this.base + at})` : ''}`;
  }

  private describeByte(at: number): string {
    const byte = this.buf[at]!;
    return byte >= 0x21 && byte < 0x7f ? `"${String.fromCharCode(byte)}"` : `byte ${hex(byte)}`;
  }

  private tooLargeReason(p: number, incomplete: boolean): string {
    let hint = `line ${this.line} alone is longer than that`;
    if (incomplete && this.openQuote >= 0) hint = `possible unclosed quote: the quote opening ${this.where(p, this.openQuote, this.openQuoteField)}`;
    else if (this.firstMultiline >= 0) hint = `possible unbalanced quote: ${this.where(p, this.firstMultiline, this.firstMultilineField)}`;
    else if (!incomplete || this.countBreaks(p, Math.min(this.buf.length, p + this.window)) > 0) hint = `the record spans several lines`;
    return `record exceeds ${this.maxRecordBytes} bytes (${hint}); only its first line is reported, reading resumes at line ${this.line + 1}`;
  }

  /** Physical line breaks (LF, CRLF, lone CR) in buf[from..to); error paths only. */
  private countBreaks(from: number, to: number): number {
    let n = 0;
    for (let i = from; i < to; i++) {
      const c = this.buf[i];
      if (c === LF) n += 1;
      else if (c === CR && this.buf[i + 1] !== LF) n += 1;
    }
    return n;
  }

  /** Line breaks inside a quoted field's bytes [from, to), found with indexOf. */
  private breaksIn(from: number, to: number): number {
    const buf = this.buf;
    let n = 0;
    for (let at = this.lf.find(buf, from); at < to; at = this.lf.find(buf, at + 1)) n += 1;
    for (let at = this.cr.find(buf, from); at < to; at = this.cr.find(buf, at + 1)) if (buf[at + 1] !== LF) n += 1;
    return n;
  }

  /** The first line break (LF or CR) at or after from, -1 if none in buf. */
  private firstBreak(from: number): number {
    const t = Math.min(this.lf.find(this.buf, from), this.cr.find(this.buf, from));
    return t === Infinity ? -1 : t;
  }

  /** End of a line terminator starting at t (LF, CR or CRLF), or -1 when a CR ends the data and more may follow. */
  private terminatorEnd(t: number, end: number, eof: boolean): number {
    if (this.buf[t] === LF) return t + 1;
    if (t + 1 < end) return this.buf[t + 1] === LF ? t + 2 : t + 1;
    return eof ? t + 1 : -1;
  }

  private pushField(start: number, end: number, escaped: boolean): void {
    const i = this.fieldCount++;
    this.starts[i] = start;
    this.ends[i] = end;
    this.escaped[i] = escaped;
  }

  /**
   * One record from buf[p..end) (end is the end of the data when eof). Decides nothing that a byte at
   * or after end could change, so an answer other than INCOMPLETE is final whatever the chunking.
   */
  private scan(p: number, end: number, eof: boolean): number {
    const buf = this.buf;
    this.fieldCount = 0;
    this.openQuote = -1;
    this.firstMultiline = -1;
    let breaks = 0;

    let j = p;
    while (j < end && (buf[j] === SPACE || buf[j] === TAB)) j++;
    if (j === end) {
      if (!eof) return INCOMPLETE;
      this.contentEnd = this.recordEnd = end;
      return BLANK;
    }
    if (buf[j] === LF || buf[j] === CR) {
      const e = this.terminatorEnd(j, end, eof);
      if (e < 0) return INCOMPLETE;
      this.contentEnd = j;
      this.recordEnd = e;
      return BLANK;
    }

    let i = p;
    for (;;) {
      if (i < end && buf[i] === QUOTE) {
        const open = i;
        let k = i + 1;
        let escaped = false;
        for (;;) {
          const q = k < end ? buf.indexOf(QUOTE, k) : -1;
          if (q < 0 || q >= end) {
            this.errorAt = this.openQuote = open;
            this.errorField = this.openQuoteField = this.fieldCount + 1;
            return eof ? UNCLOSED : INCOMPLETE;
          }
          if (q + 1 >= end) {
            if (!eof) {
              this.openQuote = open;
              this.openQuoteField = this.fieldCount + 1;
              return INCOMPLETE;
            }
            breaks += this.quotedBreaks(open, q);
            this.pushField(open + 1, q, escaped);
            this.contentEnd = this.recordEnd = end;
            this.breaks = breaks;
            return RECORD;
          }
          const c = buf[q + 1];
          if (c === QUOTE) {
            escaped = true;
            k = q + 2;
            continue;
          }
          breaks += this.quotedBreaks(open, q);
          this.pushField(open + 1, q, escaped);
          if (c === COMMA) {
            i = q + 2;
            break;
          }
          if (c === LF || c === CR) {
            const e = this.terminatorEnd(q + 1, end, eof);
            if (e < 0) return INCOMPLETE;
            this.contentEnd = q + 1;
            this.recordEnd = e;
            this.breaks = breaks + 1;
            return RECORD;
          }
          this.errorAt = q + 1;
          this.errorField = this.fieldCount;
          this.openQuote = open;
          return AFTER_QUOTE;
        }
        continue;
      }
      let k = i;
      while (k < end) {
        const c = buf[k]!;
        if (c > COMMA || (c !== COMMA && c !== LF && c !== CR)) k++;
        else break;
      }
      if (k === end) {
        if (!eof) return INCOMPLETE;
        this.pushField(i, k, false);
        this.contentEnd = this.recordEnd = end;
        this.breaks = breaks;
        return RECORD;
      }
      const c = buf[k];
      this.pushField(i, k, false);
      if (c === COMMA) {
        i = k + 1;
        continue;
      }
      const e = this.terminatorEnd(k, end, eof);
      if (e < 0) return INCOMPLETE;
      this.contentEnd = k;
      this.recordEnd = e;
      this.breaks = breaks + 1;
      return RECORD;
    }
  }

  private quotedBreaks(open: number, close: number): number {
    const n = this.breaksIn(open + 1, close);
    if (n > 0 && this.firstMultiline < 0) {
      this.firstMultiline = open;
      this.firstMultilineField = this.fieldCount + 1;
    }
    return n;
  }
}
