import { gzipSync } from 'node:zlib';
import type { InvokeResult } from '../functions/runner';
import { dataPrefixTemplate, errorPrefixTemplate, evaluatePrefix, objectKey } from './prefix';
import { processBatch, type FirehoseRecord, type ProcessingFailure } from './processor';

const MiB = 1024 * 1024;

export interface Buffering {
  sizeBytes: number;
  intervalMs: number;
}

/** What the runtime needs of a delivery stream with an (extended) S3 destination. */
export interface DeliveryStreamConfig {
  name: string;
  arn: string;
  /** Destination version: part of every object name. */
  version: string;
  bucket: string;
  prefix?: string;
  errorOutputPrefix?: string;
  compression: 'UNCOMPRESSED' | 'GZIP';
  buffering: Buffering;
  processor?: { lambdaArn: string; numberOfRetries: number; buffering: Buffering };
}

/** Firehose's defaults: S3 5 MiB / 300 s; Lambda processor 1 MiB / 60 s, 3 retries. */
export const FIREHOSE_DEFAULTS = {
  buffering: { sizeBytes: 5 * MiB, intervalMs: 300_000 },
  processorBuffering: { sizeBytes: 1 * MiB, intervalMs: 60_000 },
  numberOfRetries: 3,
} as const;

export interface DeliveryDeps {
  putObject(bucket: string, key: string, body: Buffer): Promise<void>;
  invoke(functionArn: string, event: unknown): Promise<InvokeResult>;
  now(): number;
  region: string;
  log(line: string): void;
}

/** A record on its way, with what to call once its fate is final (written, dropped or written as an error). */
export interface PendingRecord extends FirehoseRecord {
  settle?: () => void;
}

/** Items held until they reach a size or the oldest reaches an age, whichever comes first. */
class SizeTimeBuffer<T> {
  private items: { item: T; bytes: number; at: number }[] = [];
  private bytes = 0;
  constructor(private readonly hints: Buffering) {}
  add(item: T, bytes: number, at: number) {
    this.items.push({ item, bytes, at });
    this.bytes += bytes;
  }
  /** Puts back a batch that could not be written (first in line again). */
  restore(batch: { item: T; bytes: number; at: number }[]) {
    this.items.unshift(...batch);
    this.bytes += batch.reduce((n, b) => n + b.bytes, 0);
  }
  ready(now: number, force = false): boolean {
    const oldest = this.items[0];
    return !!oldest && (force || this.bytes >= this.hints.sizeBytes || now - oldest.at >= this.hints.intervalMs);
  }
  /** The oldest items up to the size hint (at least one). */
  take() {
    let bytes = 0;
    let count = 0;
    while (count < this.items.length && (count === 0 || bytes + this.items[count]!.bytes <= this.hints.sizeBytes)) bytes += this.items[count++]!.bytes;
    this.bytes -= bytes;
    return this.items.splice(0, count);
  }
  get size() {
    return this.items.length;
  }
}

export interface DeliveryStats {
  received: number;
  delivered: number;
  dropped: number;
  failed: number;
  objects: number;
  errorObjects: number;
}

/**
 * A delivery stream's local data path, in Firehose's order: records buffer by the processor's hints,
 * go through the processor zip (Ok / Dropped / ProcessingFailed), Ok data buffers by the S3 hints
 * and lands as one object per flush under the evaluated prefix (records concatenated, no delimiter
 * added, as Firehose does); failures land as JSON lines under the error prefix. Without a processor
 * records go straight to the S3 buffer. Call `tick()` on a timer; `flush()` drains everything.
 */
export class LocalDeliveryStream {
  readonly stats: DeliveryStats = { received: 0, delivered: 0, dropped: 0, failed: 0, objects: 0, errorObjects: 0 };
  private readonly processorBuffer?: SizeTimeBuffer<PendingRecord>;
  private readonly s3Buffer: SizeTimeBuffer<{ record: PendingRecord; data: Buffer }>;
  private running: Promise<void> = Promise.resolve();

  constructor(
    readonly config: DeliveryStreamConfig,
    private readonly deps: DeliveryDeps,
  ) {
    if (config.processor) this.processorBuffer = new SizeTimeBuffer(config.processor.buffering);
    this.s3Buffer = new SizeTimeBuffer(config.buffering);
  }

  /** Takes records as PutRecordBatch does; they are written when a buffer fills or on a later tick. */
  put(records: PendingRecord[]): Promise<void> {
    const now = this.deps.now();
    for (const record of records) {
      this.stats.received += 1;
      if (this.processorBuffer) this.processorBuffer.add(record, record.data.length, record.approximateArrivalTimestamp);
      else this.s3Buffer.add({ record, data: record.data }, record.data.length, record.approximateArrivalTimestamp);
    }
    return this.serially(() => this.drain(now, false));
  }

  tick(): Promise<void> {
    return this.serially(() => this.drain(this.deps.now(), false));
  }

  flush(): Promise<void> {
    return this.serially(() => this.drain(this.deps.now(), true));
  }

  /** Records still buffered (not yet written anywhere). */
  get pending(): number {
    return (this.processorBuffer?.size ?? 0) + this.s3Buffer.size;
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const run = this.running.then(work);
    this.running = run.catch(() => undefined);
    return run;
  }

  private async drain(now: number, force: boolean) {
    const processor = this.config.processor;
    while (processor && this.processorBuffer!.ready(now, force)) {
      const batch = this.processorBuffer!.take().map((b) => b.item);
      const result = await processBatch(batch, {
        lambdaArn: processor.lambdaArn,
        deliveryStreamArn: this.config.arn,
        region: this.deps.region,
        numberOfRetries: processor.numberOfRetries,
        invoke: this.deps.invoke,
        now: this.deps.now,
      });
      for (const { record, data } of result.ok) this.s3Buffer.add({ record, data }, data.length, record.approximateArrivalTimestamp);
      for (const record of result.dropped) {
        this.stats.dropped += 1;
        record.settle?.();
      }
      if (result.failed.length > 0) await this.writeErrors(result.failed);
    }
    while (this.s3Buffer.ready(now, force)) {
      const batch = this.s3Buffer.take();
      try {
        await this.write(dataPrefixTemplate(this.config.prefix), undefined, batch.map((b) => b.item.data), Math.min(...batch.map((b) => b.at)));
      } catch (error) {
        // Firehose keeps retrying S3 (for up to 24 hours): so does the next tick.
        this.s3Buffer.restore(batch);
        this.deps.log(`[firehose ${this.config.name}] S3 write failed, retried on the next tick: ${(error as Error).message}`);
        return;
      }
      this.stats.objects += 1;
      this.stats.delivered += batch.length;
      for (const { item } of batch) item.record.settle?.();
    }
  }

  private async writeErrors(failed: { record: PendingRecord; failure: ProcessingFailure }[]) {
    const lines = failed.map(({ failure }) => Buffer.from(`${JSON.stringify(failure)}\n`));
    await this.write(errorPrefixTemplate(this.config.errorOutputPrefix), 'processing-failed', lines, Math.min(...failed.map((f) => f.record.approximateArrivalTimestamp)));
    this.stats.errorObjects += 1;
    this.stats.failed += failed.length;
    for (const { record, failure } of failed) {
      this.deps.log(`[firehose ${this.config.name}] record ${record.recordId} failed processing (${failure.errorCode}: ${failure.errorMessage})`);
      record.settle?.();
    }
  }

  private async write(template: string, errorOutputType: 'processing-failed' | undefined, parts: Buffer[], oldestArrival: number) {
    const prefix = evaluatePrefix(template, { arrival: oldestArrival, errorOutputType });
    const body = Buffer.concat(parts);
    const gzip = this.config.compression === 'GZIP';
    const key = objectKey(prefix, this.config.name, this.config.version, this.deps.now()) + (gzip ? '.gz' : '');
    await this.deps.putObject(this.config.bucket, key, gzip ? gzipSync(body) : body);
  }
}
