import { FirehoseClient } from '@aws-sdk/client-firehose';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EMULATOR_CREDENTIALS } from '../emulator/moto';
import { pollHandOffQueue, systemClock, type RuntimeContext } from '../eventbridge/runtime';
import { LocalDeliveryStream, type PendingRecord } from './delivery';
import { deliveryStreamConfig, describeDeliveryStreams } from './describe';

/**
 * The hand-off from the emulator: moto writes Firehose records straight to S3 (no processor, no
 * buffering, prefixes literal), so once the runtime has created this queue, the hook in
 * moto_hooks.py (installed by local/emulator/moto_shim.py) sends each PutRecord(Batch) to it instead, as
 *   {"deliveryStreamName": "...", "records": [{"recordId", "data" (base64), "approximateArrivalTimestamp" (ms)}]}
 * (split so each message stays under the queue's size limit). The runtime deletes a message once
 * every record in it is written to S3, written under the error prefix or dropped by the processor.
 */
export const FIREHOSE_HANDOFF_QUEUE = 'local-runtime-firehose-records';

export interface HandOffBatch {
  deliveryStreamName: string;
  records: PendingRecord[];
}

export function parseFirehoseHandOff(body: string): HandOffBatch {
  const parsed = JSON.parse(body) as { deliveryStreamName?: unknown; records?: unknown };
  if (typeof parsed.deliveryStreamName !== 'string' || !Array.isArray(parsed.records)) throw new Error('expected {"deliveryStreamName", "records"}');
  const records = (parsed.records as { recordId?: unknown; data?: unknown; approximateArrivalTimestamp?: unknown }[]).map((r, i) => {
    if (typeof r.recordId !== 'string' || typeof r.data !== 'string' || typeof r.approximateArrivalTimestamp !== 'number') throw new Error(`record ${i}: expected recordId, base64 data and approximateArrivalTimestamp`);
    return { recordId: r.recordId, data: Buffer.from(r.data, 'base64'), approximateArrivalTimestamp: r.approximateArrivalTimestamp };
  });
  return { deliveryStreamName: parsed.deliveryStreamName, records };
}

export interface LocalFirehoseOptions extends RuntimeContext {
  /** How often buffers are checked for their interval (default 1 s). */
  tickMs?: number;
}

export interface LocalFirehose {
  streams: Map<string, LocalDeliveryStream>;
  /** Writes every buffered record now. */
  flush(): Promise<void>;
  /** Resolves once the signal has aborted and the ticker and the hand-off reader have ended. */
  done: Promise<void>;
}

/** Makes every delivery stream with an S3 destination deliver locally, fed from the shim's hand-off queue. */
export async function startLocalFirehose(options: LocalFirehoseOptions): Promise<LocalFirehose> {
  const { endpoint, region, runner, signal, log } = options;
  const clock = options.clock ?? systemClock;
  const credentials = EMULATOR_CREDENTIALS;
  const s3 = new S3Client({ endpoint, region, credentials, forcePathStyle: true });
  const sqs = new SQSClient({ endpoint, region, credentials });
  const streams = new Map<string, LocalDeliveryStream>();
  for (const description of await describeDeliveryStreams(new FirehoseClient({ endpoint, region, credentials }))) {
    const config = deliveryStreamConfig(description);
    if ('problem' in config) {
      log(`[firehose ${description.DeliveryStreamName}] not delivered locally: ${config.problem}`);
      continue;
    }
    streams.set(
      config.name,
      new LocalDeliveryStream(config, {
        putObject: async (Bucket, Key, Body) => void (await s3.send(new PutObjectCommand({ Bucket, Key, Body }))),
        invoke: (arn, event) => runner.invoke(arn, event),
        now: () => clock.now(),
        region,
        log,
      }),
    );
    log(`[firehose ${config.name}] -> s3://${config.bucket}/${config.prefix ?? ''}${config.processor ? ` through ${config.processor.lambdaArn.split(':')[6]}` : ''}`);
  }

  const ticker = (async () => {
    while (!signal.aborted) {
      await clock.sleep(options.tickMs ?? 1_000, signal);
      for (const stream of streams.values()) await stream.tick().catch((error: Error) => log(`[firehose ${stream.config.name}] ${error.message}`));
    }
  })();

  // Longest a record can wait in the two buffers, plus time to process and write it.
  const visibilitySeconds = Math.min(43_200, Math.ceil(Math.max(0, ...[...streams.values()].map((s) => s.config.buffering.intervalMs + (s.config.processor?.buffering.intervalMs ?? 0))) / 1000) + 300);
  const consumer = pollHandOffQueue(sqs, FIREHOSE_HANDOFF_QUEUE, { signal, clock, log, visibilityTimeoutSeconds: visibilitySeconds }, async (message, remove) => {
    let batch: HandOffBatch;
    try {
      batch = parseFirehoseHandOff(message.Body ?? '');
    } catch (error) {
      log(`[firehose] hand-off ${message.MessageId} is malformed and is dropped (${(error as Error).message})`);
      return remove();
    }
    const stream = streams.get(batch.deliveryStreamName);
    if (batch.records.length === 0) return remove();
    if (!stream) {
      // Kept where it is (it comes back after the visibility timeout), never dropped.
      log(`[firehose] hand-off ${message.MessageId}: ${batch.deliveryStreamName} is not delivered locally (see start-up); its ${batch.records.length} record(s) stay in ${FIREHOSE_HANDOFF_QUEUE}`);
      return;
    }
    let open = batch.records.length;
    const settle = () => {
      open -= 1;
      if (open === 0) remove().catch((error: Error) => log(`[firehose] could not delete hand-off ${message.MessageId}: ${error.message}`));
    };
    await stream.put(batch.records.map((r) => ({ ...r, settle }))).catch((error: Error) => log(`[firehose ${stream.config.name}] ${error.message}`));
  });

  return {
    streams,
    flush: async () => {
      for (const stream of streams.values()) await stream.flush();
    },
    done: Promise.allSettled([ticker, consumer]).then(() => undefined),
  };
}
