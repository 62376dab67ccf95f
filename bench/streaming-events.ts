// Streaming events: records/s through the transformer and emitter cores with stub clients, AWS calls
// per event, and (with --local) end-to-end events/s through a running `make local`.
//   npx tsx bench/streaming-events.ts [--local] [rounds]
// The stubs answer at once: the figures are the cores' own cost (validation, UTF-8, JSON, hashing,
// batching, unmarshalling), not AWS latency. --local needs `make local` running in another terminal
// (it reads its session, as `make demo` does) and measures moto and the local runtime on this
// machine, which says little about AWS throughput.
import { execSync } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand, EventBridgeClient, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord, FirehoseTransformationEventRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { emitRecords } from '../functions/streaming-events/emit';
import { parseEventBytes } from '../functions/streaming-events/event';
import { eventItem } from '../functions/streaming-events/store';
import { transformRecords } from '../functions/streaming-events/transform';
import { countRecords, generateEvents, sendViaFirehose, type GeneratedRecord } from '../scripts/lib/generate-events';
import { seededRandom } from '../scripts/lib/seeded-random';
import { EMULATOR_CREDENTIALS } from '../local/emulator/moto';
import { countItems } from '../local/scenarios/streaming-events';
import { loadSession } from '../local/session';

const EVENTS = 10_000;
/** Records per transformer invocation (Firehose hands the processor up to 3 MB / its buffer). */
const TRANSFORM_BATCH = 500;
/** Records per emitter invocation (the stream mapping's batch size). */
const EMIT_BATCH = 100;
const PUT_EVENTS_FAILURE_SHARE = 0.05;
const args = process.argv.slice(2);
const local = args.includes('--local');
const rounds = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const perSecond = (count: number, ms: number) => Math.round(count / (ms / 1000)).toLocaleString('en');
const noSleep = async () => {};

function generated(): GeneratedRecord[] {
  return generateEvents({ count: EVENTS, invalidShare: 0.02, duplicateShare: 0.01, sameMillisecondShare: 0.1, seed: 12, start: new Date('2026-11-23T10:00:00.000Z') });
}

/** The transformer core over every record, Firehose-sized batches, SQS stubbed to accept everything. */
async function transformerRound(records: GeneratedRecord[]) {
  const sqs = mockClient(SQSClient);
  sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({ Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })), Failed: [] }));
  const input: FirehoseTransformationEventRecord[] = records.map((r, i) => ({ recordId: `r${i}`, approximateArrivalTimestamp: 0, data: r.data.toString('base64') }));
  const client = new SQSClient({ region: 'us-east-1', credentials: EMULATOR_CREDENTIALS });
  let queued = 0;
  let calls = 0;
  const started = performance.now();
  for (let i = 0; i < input.length; i += TRANSFORM_BATCH) {
    const outcome = await transformRecords(client, input.slice(i, i + TRANSFORM_BATCH), { queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/events.fifo', sleep: noSleep });
    queued += outcome.queued;
    calls += outcome.calls;
  }
  const ms = performance.now() - started;
  sqs.restore();
  return { ms, queued, calls };
}

/** Stream records as the table would emit them for every valid event (duplicates were not stored twice). */
function streamRecords(records: GeneratedRecord[]): DynamoDBRecord[] {
  return records
    .filter((r) => r.kind === 'valid')
    .map((r, i) => {
      const parsed = parseEventBytes(r.data);
      if (!parsed.ok) throw new Error(`generated valid record ${i} does not parse: ${parsed.reason}`);
      const image = marshall(eventItem(parsed.event, parsed.body, '2026-11-23T10:00:01.000Z')) as Record<string, AttributeValue>;
      return { eventID: `e${i}`, eventName: 'INSERT', dynamodb: { SequenceNumber: String(i).padStart(21, '0'), NewImage: image } };
    });
}

/** The emitter core over every insert, stream-sized batches, PutEvents stubbed to fail about 5% of entries (each attempt). */
async function emitterRound(records: DynamoDBRecord[]) {
  const random = seededRandom(7);
  const events = mockClient(EventBridgeClient);
  let entries = 0;
  events.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => {
    entries += input.Entries.length;
    const results: PutEventsResultEntry[] = input.Entries.map((_, i) => (random() < PUT_EVENTS_FAILURE_SHARE ? { ErrorCode: 'InternalFailure', ErrorMessage: 'stub' } : { EventId: `id-${i}` }));
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  });
  const client = new EventBridgeClient({ region: 'us-east-1', credentials: EMULATOR_CREDENTIALS });
  let emitted = 0;
  let calls = 0;
  let failedEntries = 0;
  let unemitted = 0;
  const started = performance.now();
  for (let i = 0; i < records.length; i += EMIT_BATCH) {
    const result = await emitRecords(client, records.slice(i, i + EMIT_BATCH), { eventBusName: 'bench', sleep: noSleep });
    emitted += result.emitted;
    calls += result.calls;
    failedEntries += result.failedEntries;
    unemitted += result.failures.length;
  }
  const ms = performance.now() - started;
  events.restore();
  return { ms, emitted, calls, failedEntries, unemitted, entries };
}

/** 10,000 generated events through Firehose of the running `make local`, until every valid one is in the events table and every order.placed consumed. */
async function localRun() {
  const session = await loadSession();
  const pipeline = session.pipelines.streaming_events;
  if (!pipeline) throw new Error('the running stack has no streaming_events pipeline');
  const { delivery_stream_name: stream, events_table: eventsTable, consumed_table: consumedTable } = pipeline as Record<string, string>;
  const config = { endpoint: session.emulatorEndpoint, region: 'us-east-1', credentials: EMULATOR_CREDENTIALS };
  const dynamodb = new DynamoDBClient(config);
  const [eventsBefore, consumedBefore] = [await countItems(dynamodb, eventsTable!), await countItems(dynamodb, consumedTable!)];
  // A fresh seed per run (by time): the same events again would be duplicates, stored and consumed once.
  const records = generateEvents({ count: EVENTS, invalidShare: 0.02, duplicateShare: 0.01, sameMillisecondShare: 0.1, seed: Date.now() % 2 ** 31 });
  const counts = countRecords(records);
  const started = performance.now();
  const sent = await sendViaFirehose(new FirehoseClient(config), stream!, records);
  const sentMs = performance.now() - started;
  let stored = 0;
  let consumed = 0;
  let storedMs = 0;
  const deadline = started + 15 * 60_000;
  for (;;) {
    stored = (await countItems(dynamodb, eventsTable!)) - eventsBefore;
    if (stored >= counts.valid && !storedMs) storedMs = performance.now() - started;
    consumed = (await countItems(dynamodb, consumedTable!)) - consumedBefore;
    if ((stored >= counts.valid && consumed >= counts.forConsumer) || performance.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  const ms = performance.now() - started;
  return { counts, sent: sent.sent, refused: sent.refused, sentMs, stored, storedMs, consumed, ms };
}

const records = generated();
const counts = countRecords(records);
const load = () => execSync('uptime').toString().trim().replace(/.*load average:/, 'load average:');
console.log(`Streaming events (node ${process.version}; ${counts.total.toLocaleString('en')} generated records: ${counts.valid} valid, ${counts.duplicates} duplicates, ${counts.invalid} invalid; ${load()})`);

const stream = streamRecords(records);
const transforms: Awaited<ReturnType<typeof transformerRound>>[] = [];
const emits: Awaited<ReturnType<typeof emitterRound>>[] = [];
await transformerRound(records); // warm-up, not counted
await emitterRound(stream);
for (let round = 0; round < rounds; round++) {
  // alternated in one run, so machine load hits both alike
  transforms.push(await transformerRound(records));
  emits.push(await emitterRound(stream));
}
const t = transforms[0]!;
const e = emits[0]!;
const transformMs = median(transforms.map((r) => r.ms));
const emitMs = median(emits.map((r) => r.ms));
console.log(`medians of ${rounds} alternated rounds, stub clients:`);
console.log(`  transformer core   ${perSecond(records.length, transformMs).padStart(9)} records/s  (${records.length} records in batches of ${TRANSFORM_BATCH}, ${transformMs.toFixed(0)} ms)`);
console.log(`  emitter core       ${perSecond(stream.length, emitMs).padStart(9)} records/s  (${stream.length} inserts in batches of ${EMIT_BATCH}, ${emitMs.toFixed(0)} ms)`);
console.log('AWS calls per event:');
console.log(`  SQS SendMessageBatch   ${(t.calls / t.queued).toFixed(3)}  (${t.calls} calls for ${t.queued} queued events; a duplicate is queued too, SQS deduplicates it)`);
console.log(`  EventBridge PutEvents  ${(e.calls / e.emitted).toFixed(3)}  (${e.calls} calls for ${e.emitted} emitted, with the stub failing ${PUT_EVENTS_FAILURE_SHARE * 100}% of entries: ${e.failedEntries} failed entries retried, ${e.unemitted} left for Lambda's retry)`);

if (local) {
  const run = await localRun();
  console.log(`end to end through the running make local (${load()}):`);
  console.log(`  sent ${run.sent} records to Firehose in ${(run.sentMs / 1000).toFixed(1)} s (${run.refused} refused)`);
  console.log(`  ${run.stored} of ${run.counts.valid} valid events in the events table after ${(run.storedMs / 1000).toFixed(1)} s: ${perSecond(run.stored, run.storedMs || run.ms)} events/s`);
  console.log(`  ${run.consumed} of ${run.counts.forConsumer} ${'order.placed'} events consumed after ${(run.ms / 1000).toFixed(1)} s: ${perSecond(run.counts.valid, run.ms)} events/s end to end`);
} else {
  console.log('end to end: run `make local` in another terminal, then `npx tsx bench/streaming-events.ts --local`');
}
