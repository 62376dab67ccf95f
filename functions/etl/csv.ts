import type { Readable } from 'node:stream';
import { CsvTokenizer, DEFAULT_MAX_RECORD_BYTES } from './csv-tokenizer';

export { DEFAULT_MAX_RECORD_BYTES };

/**
 * line: the physical line where the record starts. nextLine and endByte: where the next record starts
 * (after the whole line terminator), which is where a later invocation resumes. startByte/endByte are
 * object offsets. An invalid event for a malformed record covers only its first physical line.
 */
export type CsvEvent =
  | { kind: 'row'; line: number; nextLine: number; startByte: number; endByte: number; values: Record<string, string> }
  | { kind: 'invalid'; line: number; nextLine: number; startByte: number; endByte: number; reason: string; raw: string; rawBase64?: string; truncated?: boolean };

export interface CsvReadOptions {
  /** Column names when resuming mid-file; otherwise (or when empty) the first non-blank record is the header (names trimmed). */
  header?: string[];
  /** Line number of the first byte of the stream (resuming), default 1. */
  firstLine?: number;
  /** Object byte offset of the stream's first byte (resuming), default 0; added to startByte/endByte. A UTF-8 BOM is stripped only at offset 0. */
  startByte?: number;
  onHeader?: (header: string[]) => void;
  /** Largest record (without its line break) before it is reported invalid, default DEFAULT_MAX_RECORD_BYTES (1 MiB). */
  maxRecordBytes?: number;
  /** Default 'utf-8' (bytes that are not valid UTF-8 make their record invalid); 'latin1' is ISO-8859-1. */
  encoding?: 'utf-8' | 'latin1';
  /** When aborted, the generator returns promptly (within one chunk), even mid-record. */
  signal?: AbortSignal;
}

const asBuffer = (chunk: unknown): Buffer =>
  Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk) : chunk instanceof Uint8Array ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.from(String(chunk));

/**
 * Streams CSV records (RFC 4180, comma-separated) with their line numbers and byte offsets. Every
 * record becomes an event, a row or an invalid record with its reason and raw text: nothing is
 * dropped. Line breaks are LF, CRLF or a lone CR, mixed freely; blank and whitespace-only lines are
 * skipped but counted. Memory is bounded by maxRecordBytes whatever the input.
 */
export async function* readCsv(stream: Readable, options: CsvReadOptions = {}): AsyncGenerator<CsvEvent> {
  const { signal } = options;
  const tokenizer = new CsvTokenizer(options);
  if (signal?.aborted) {
    stream.destroy();
    return;
  }
  const abort = () => stream.destroy();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    for await (const chunk of stream) {
      if (signal?.aborted) return;
      tokenizer.push(asBuffer(chunk));
      for (let event = tokenizer.next(); event; event = tokenizer.next()) {
        yield event;
        if (signal?.aborted) return;
      }
    }
    if (signal?.aborted) return;
    tokenizer.end();
    for (let event = tokenizer.next(); event; event = tokenizer.next()) {
      yield event;
      if (signal?.aborted) return;
    }
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}
