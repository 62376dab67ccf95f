import { PassThrough } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

export interface RejectedRow {
  line: number;
  reasons: string[];
  /** The row as read (header -> text), or the raw text when it could not be split into fields. */
  values?: Record<string, string>;
  raw?: string;
  /** The exact bytes when they are not valid text in the file's encoding. */
  rawBase64?: string;
  /** raw holds only the start of a record too large to keep; startByte-endByte locate all of it. */
  truncated?: boolean;
  startByte?: number;
  endByte?: number;
}

/**
 * Streams rejected rows as JSON lines to one S3 object (multipart, so memory stays flat however many
 * rows are bad). The object is only created when there is a first rejected row.
 */
export class QuarantineWriter {
  count = 0;
  private stream?: PassThrough;
  private upload?: Promise<unknown>;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly key: string,
    private readonly kmsKeyId?: string,
  ) {}

  async write(row: RejectedRow): Promise<void> {
    if (!this.stream) {
      const stream = new PassThrough();
      this.stream = stream;
      this.upload = new Upload({
        client: this.s3,
        // Every part in flight is 5 MB held in memory: lib-storage's default of four raised the loader's peak on large files.
        queueSize: 2,
        params: {
          Bucket: this.bucket,
          Key: this.key,
          Body: stream,
          ContentType: 'application/x-ndjson',
          ...(this.kmsKeyId && { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.kmsKeyId }),
        },
      }).done();
      // Surface an upload failure on the next write or on close, never as an unhandled rejection.
      this.upload.catch(() => undefined);
    }
    this.count += 1;
    if (!this.stream.write(`${JSON.stringify(row)}\n`)) await new Promise((resolve) => this.stream!.once('drain', resolve));
  }

  /** Finishes the object; returns its key, or undefined when no row was rejected. */
  async close(): Promise<string | undefined> {
    if (!this.stream) return undefined;
    this.stream.end();
    await this.upload;
    return this.key;
  }
}
