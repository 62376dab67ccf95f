import {
  AbortMultipartUploadCommand,
  ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

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

/** S3's smallest part (but the last); also the most this writer holds per part. */
export const PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
const FIRST_BUFFER_BYTES = 64 * 1024;

export interface QuarantineOptions {
  /** For tests: smaller parts (S3 refuses parts under 5 MiB but the last). */
  partBytes?: number;
}

/**
 * Streams rejected rows as JSON lines to one S3 object. The object is only created when there is a
 * first rejected row: one PutObject when everything fits in one part, otherwise a multipart upload.
 * Memory stays flat however many rows are bad: at most one part being filled (a buffer that grows to
 * the part size) and one part being uploaded; the two buffers take turns, nothing is concatenated.
 * A failed upload is reported by the next write or by close, and the multipart upload is aborted.
 */
export class QuarantineWriter {
  count = 0;
  private readonly partBytes: number;
  private part?: Buffer;
  private filled = 0;
  private spare?: Buffer;
  private uploadId?: Promise<string>;
  private readonly parts: CompletedPart[] = [];
  private inFlight?: Promise<void>;
  private failure?: Error;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly key: string,
    private readonly kmsKeyId?: string,
    options: QuarantineOptions = {},
  ) {
    this.partBytes = options.partBytes ?? PART_BYTES;
  }

  async write(row: RejectedRow): Promise<void> {
    if (this.failure) throw this.failure;
    this.count += 1;
    const bytes = Buffer.from(`${JSON.stringify(row)}\n`);
    // A row may span parts (even several): S3 joins parts byte for byte, so a UTF-8 character split
    // across two parts comes out whole.
    for (let from = 0; from < bytes.length; ) {
      if (this.filled === this.partBytes) await this.sendPart();
      from += this.append(bytes, from);
    }
  }

  /** Finishes the object; returns its key, or undefined when no row was rejected. */
  async close(): Promise<string | undefined> {
    if (this.failure) throw this.failure;
    if (this.count === 0) return undefined;
    if (!this.uploadId) {
      await this.s3.send(new PutObjectCommand({ ...this.target(), Body: this.part!.subarray(0, this.filled) }));
      this.release();
      return this.key;
    }
    if (this.filled > 0) await this.sendPart();
    await this.settle();
    const UploadId = await this.uploadId;
    try {
      await this.s3.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId, MultipartUpload: { Parts: this.parts } }));
    } catch (error) {
      await this.abort();
      throw error;
    } finally {
      this.release();
    }
    return this.key;
  }

  /** Copies what fits of bytes[from..] into the part being filled, growing it up to the part size. */
  private append(bytes: Buffer, from: number): number {
    const wanted = this.filled + bytes.length - from;
    if (!this.part || this.part.length < Math.min(wanted, this.partBytes)) {
      // Small quarantines stay small; once parts are being uploaded, every buffer is a whole part.
      let size = this.uploadId ? this.partBytes : Math.min(this.part?.length ?? FIRST_BUFFER_BYTES, this.partBytes);
      while (size < Math.min(wanted, this.partBytes)) size = Math.min(size * 2, this.partBytes);
      const grown = Buffer.allocUnsafeSlow(size); // its own memory, not a slice of the shared pool
      this.part?.copy(grown, 0, 0, this.filled);
      this.part = grown;
    }
    const copied = bytes.copy(this.part, this.filled, from);
    this.filled += copied;
    return copied;
  }

  /** Uploads the filled part once the previous one is done; the previous one's buffer is filled next. */
  private async sendPart(): Promise<void> {
    await this.settle();
    if (this.parts.length >= MAX_PARTS) {
      this.fail(new Error(`quarantine ${this.key}: more than ${MAX_PARTS} parts of ${this.partBytes} bytes of rejected rows`));
      await this.settle();
    }
    this.uploadId ??= this.createUpload();
    const buffer = this.part!;
    const PartNumber = this.parts.length + 1;
    this.parts.push({ PartNumber });
    this.inFlight = this.uploadPart(buffer.subarray(0, this.filled), PartNumber).then(
      // The SDK is done with the body once send has resolved: the buffer can take the part after next.
      () => {
        this.spare = buffer;
      },
      (error: Error) => {
        this.fail(error);
        return this.abort();
      },
    );
    this.part = this.spare;
    this.spare = undefined;
    this.filled = 0;
  }

  private async uploadPart(Body: Buffer, PartNumber: number): Promise<void> {
    const UploadId = await this.uploadId!;
    const answer = await this.s3.send(new UploadPartCommand({ Bucket: this.bucket, Key: this.key, UploadId, PartNumber, Body, ChecksumAlgorithm: ChecksumAlgorithm.CRC32 }));
    if (!answer.ETag) throw new Error(`quarantine ${this.key}: part ${PartNumber} has no ETag`);
    this.parts[PartNumber - 1] = { PartNumber, ETag: answer.ETag, ...(answer.ChecksumCRC32 && { ChecksumCRC32: answer.ChecksumCRC32 }) };
  }

  private async createUpload(): Promise<string> {
    // CRC32 declared on the upload and sent with every part, as lib-storage does: S3 then checks each
    // part and the whole object, and CompleteMultipartUpload needs each part's checksum.
    const { UploadId } = await this.s3.send(new CreateMultipartUploadCommand({ ...this.target(), ChecksumAlgorithm: ChecksumAlgorithm.CRC32 }));
    if (!UploadId) throw new Error(`quarantine ${this.key}: CreateMultipartUpload returned no UploadId`);
    return UploadId;
  }

  /** Waits for the part in flight; a failure aborts the upload and is thrown now and by every later call. */
  private async settle(): Promise<void> {
    await this.inFlight;
    this.inFlight = undefined;
    if (this.failure) {
      await this.abort();
      throw this.failure;
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
  }

  private async abort(): Promise<void> {
    const uploadId = this.uploadId;
    this.uploadId = undefined;
    this.release();
    const UploadId = await uploadId?.catch(() => undefined);
    if (!UploadId) return;
    // Best effort: the bucket's lifecycle rule for incomplete uploads removes what this leaves.
    await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId })).catch(() => undefined);
  }

  private release(): void {
    this.part = this.spare = undefined;
    this.filled = 0;
  }

  private target() {
    return {
      Bucket: this.bucket,
      Key: this.key,
      ContentType: 'application/x-ndjson',
      ...(this.kmsKeyId && { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: this.kmsKeyId }),
    };
  }
}
