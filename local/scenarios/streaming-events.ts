import { gunzipSync } from 'node:zlib';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import contract from '../../functions/streaming-events/contract.json';
import { countRecords, generateEvents, sendViaFirehose, type GeneratedRecord, type SendSummary } from '../../scripts/lib/generate-events';
import { approximateDepth } from '../../scripts/lib/redrive';
import { EMULATOR_CREDENTIALS } from '../emulator/moto';
import type { ProcessingFailure } from '../firehose/processor';
import { sleep, type Scenario } from './scenario';

export interface StreamingEventsSummary {
  delivery_stream_name: string;
  lake_bucket: string;
  lake_prefix_root: string;
  error_prefix_root: string;
  queue_url: string;
  dlq_url: string;
  events_table: string;
  consumed_table: string;
  event_bus_name: string;
  archive_name: string;
  consumer_rule_name: string;
  emitter_failure_queue_url: string;
  consumer_dlq_url: string;
  function_names: Record<'transformer' | 'storer' | 'emitter' | 'consumer', string>;
}

/** A row of the events table, the fields the checks need. */
export interface StoredRow {
  entityId: string;
  sk: string;
  eventId: string;
  storedAt: string;
}

/** Everything the pipeline wrote, read back whole. */
export interface StreamingEventsSnapshot {
  /** eventId -> lines in the lake carrying it. */
  lake: Map<string, number>;
  lakeObjects: number;
  /** Lines in the lake that are not JSON with an eventId (none expected). */
  lakeUnreadable: number;
  /** The raw records under the error prefix (base64, as Firehose writes them), with their error. */
  errors: { rawData: string; errorCode: string; errorMessage: string }[];
  errorObjects: number;
  stored: StoredRow[];
  /** eventId -> items in the consumed table (the key is the eventId: at most 1). */
  consumed: Set<string>;
  /** Messages in (or in flight from) each queue that should end empty. */
  queues: Record<'queue' | 'dlq' | 'emitterFailures' | 'consumerDlq', number>;
}

export interface StreamingEventsProbe {
  send(records: GeneratedRecord[]): Promise<SendSummary>;
  snapshot(): Promise<StreamingEventsSnapshot>;
}

const isGzip = (body: Uint8Array) => body[0] === 0x1f && body[1] === 0x8b;

/** Items in a table, counted by the emulator (Scan with Select COUNT, every page). */
export async function countItems(dynamodb: DynamoDBClient, table: string): Promise<number> {
  let count = 0;
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: table, Select: 'COUNT', ExclusiveStartKey }));
    count += page.Count ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return count;
}

/** The lake, the error prefix, both tables and every queue of a running stack's streaming-events pipeline. */
export function streamingEventsProbe(emulatorEndpoint: string, summary: StreamingEventsSummary): StreamingEventsProbe {
  const config = { endpoint: emulatorEndpoint, region: 'us-east-1', credentials: EMULATOR_CREDENTIALS };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const dynamodb = new DynamoDBClient(config);
  const sqs = new SQSClient(config);
  const firehose = new FirehoseClient(config);

  async function objects(prefix: string): Promise<string[][]> {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: summary.lake_bucket, Prefix: prefix, ContinuationToken }));
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    return Promise.all(
      keys.map(async (Key) => {
        const body = await (await s3.send(new GetObjectCommand({ Bucket: summary.lake_bucket, Key }))).Body!.transformToByteArray();
        return Buffer.from(isGzip(body) ? gunzipSync(body) : body)
          .toString('utf8')
          .split('\n')
          .filter((line) => line.length > 0);
      }),
    );
  }

  async function scan(table: string, projection: string[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamodb.send(
        new ScanCommand({ TableName: table, ProjectionExpression: projection.map((_, i) => `#p${i}`).join(', '), ExpressionAttributeNames: Object.fromEntries(projection.map((p, i) => [`#p${i}`, p])), ExclusiveStartKey }),
      );
      items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  return {
    send: (records) => sendViaFirehose(firehose, summary.delivery_stream_name, records),

    async snapshot() {
      const lake = new Map<string, number>();
      let lakeUnreadable = 0;
      const lakeObjects = await objects(summary.lake_prefix_root);
      for (const line of lakeObjects.flat()) {
        try {
          const eventId = (JSON.parse(line) as { eventId?: unknown }).eventId;
          if (typeof eventId !== 'string') throw new Error('no eventId');
          lake.set(eventId, (lake.get(eventId) ?? 0) + 1);
        } catch {
          lakeUnreadable += 1;
        }
      }
      const errorObjects = await objects(summary.error_prefix_root);
      const errors = errorObjects.flat().map((line) => {
        const { rawData, errorCode, errorMessage } = JSON.parse(line) as ProcessingFailure;
        return { rawData, errorCode, errorMessage };
      });
      const { partitionKey, sortKey } = contract.table;
      const stored = (await scan(summary.events_table, [partitionKey, sortKey, 'eventId', 'storedAt'])).map((item) => ({ entityId: String(item[partitionKey]), sk: String(item[sortKey]), eventId: String(item.eventId), storedAt: String(item.storedAt) }));
      const consumed = new Set((await scan(summary.consumed_table, [contract.consumer.table.partitionKey])).map((item) => String(item[contract.consumer.table.partitionKey])));
      const [queue, dlq, emitterFailures, consumerDlq] = await Promise.all([summary.queue_url, summary.dlq_url, summary.emitter_failure_queue_url, summary.consumer_dlq_url].map((url) => approximateDepth(sqs, url)));
      return { lake, lakeObjects: lakeObjects.length, lakeUnreadable, errors, errorObjects: errorObjects.length, stored, consumed, queues: { queue: queue!, dlq: dlq!, emitterFailures: emitterFailures!, consumerDlq: consumerDlq! } };
    },
  };
}

/** What a set of generated records should have become, and what of it the snapshot shows. */
export function tally(records: readonly GeneratedRecord[], snapshot: StreamingEventsSnapshot) {
  const valid = records.filter((r) => r.kind === 'valid');
  const sentTimes = new Map<string, number>();
  for (const r of records) if (r.eventId) sentTimes.set(r.eventId, (sentTimes.get(r.eventId) ?? 0) + 1);
  const invalidRaw = new Set(records.filter((r) => r.kind === 'invalid').map((r) => r.data.toString('base64')));
  const storedTimes = new Map<string, number>();
  for (const row of snapshot.stored) storedTimes.set(row.eventId, (storedTimes.get(row.eventId) ?? 0) + 1);
  const forConsumer = valid.filter((r) => r.eventType === contract.consumer.detailType);
  return {
    counts: countRecords(records),
    /** Valid events whose lake lines equal the times they were sent (a byte-identical resend is a second line: the lake keeps what arrived). */
    inLakeAsSent: valid.filter((r) => snapshot.lake.get(r.eventId!) === sentTimes.get(r.eventId!)).length,
    missingFromLake: valid.filter((r) => !snapshot.lake.has(r.eventId!)).length,
    storedOnce: valid.filter((r) => storedTimes.get(r.eventId!) === 1).length,
    storedTwice: valid.filter((r) => (storedTimes.get(r.eventId!) ?? 0) > 1).length,
    consumedOnce: forConsumer.filter((r) => snapshot.consumed.has(r.eventId!)).length,
    forConsumer: forConsumer.length,
    underErrorPrefix: snapshot.errors.filter((e) => invalidRaw.has(e.rawData)).length,
  };
}

const DEMO_EVENTS = 200;

/** ~200 generated order events through Firehose, then where they went: lake, error prefix, tables, queues. */
export const streamingEvents: Scenario = {
  pipeline: 'streaming_events',
  sampleBodies: {},

  async demo({ emulatorEndpoint, pipeline }) {
    const summary = pipeline as unknown as StreamingEventsSummary;
    const probe = streamingEventsProbe(emulatorEndpoint, summary);
    const records = generateEvents({ count: DEMO_EVENTS, invalidShare: 0.02, duplicateShare: 0.02, sameMillisecondShare: 0.1, seed: Date.now() % 2 ** 31 });
    const counts = countRecords(records);
    const started = Date.now();
    const sent = await probe.send(records);
    console.log(`\nstreaming-events: sent ${sent.sent} records to Firehose stream ${summary.delivery_stream_name} (${counts.valid} valid events, ${counts.duplicates} byte-identical resends, ${counts.invalid} invalid; ${sent.refused} refused by Firehose)`);
    let last = '';
    for (;;) {
      const snapshot = await probe.snapshot();
      const t = tally(records, snapshot);
      const line = `in the lake ${t.inLakeAsSent}/${counts.valid}, under ${summary.error_prefix_root} ${t.underErrorPrefix}/${counts.invalid}, in ${summary.events_table} ${t.storedOnce}/${counts.valid}, consumed ${t.consumedOnce}/${t.forConsumer} ${contract.consumer.detailType}`;
      if (line !== last) console.log(`  after ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s: ${line}`);
      last = line;
      const done = t.inLakeAsSent === counts.valid && t.underErrorPrefix === counts.invalid && t.storedOnce === counts.valid && t.consumedOnce === t.forConsumer;
      if (done || Date.now() - started > 120_000) {
        console.log(`  lake s3://${summary.lake_bucket}/${summary.lake_prefix_root} ${snapshot.lakeObjects} object(s), one JSON line per record; errors ${snapshot.errorObjects} object(s) under ${summary.error_prefix_root}`);
        console.log(`  stored twice ${t.storedTwice}; queues: storer ${snapshot.queues.queue}, storer DLQ ${snapshot.queues.dlq}, emitter failures ${snapshot.queues.emitterFailures}, consumer DLQ ${snapshot.queues.consumerDlq} (all 0 expected)`);
        if (!done) console.log('  not everything arrived within 120 s: see the make local terminal');
        return;
      }
      await sleep(2_000);
    }
  },
};
