import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeArchiveCommand, DescribeReplayCommand, EventBridgeClient, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { expect } from 'chai';
import contract from '../../functions/streaming-events/contract.json';
import { countRecords, generateEvents, seededUuid, type GeneratedRecord } from '../../scripts/lib/generate-events';
import { seededRandom } from '../../scripts/lib/seeded-random';
import { countItems as countTable, streamingEvents, streamingEventsProbe, tally, type StreamingEventsProbe, type StreamingEventsSummary } from '../../local/scenarios/streaming-events';
import type { LocalStack } from '../../local/stack';
import { waitFor } from '../support/wait-for';
import { e2eStack, emulatorClientConfig, logs } from './stack.fixture';

// E2E_STREAMING_EVENTS: a smaller run while working on the pipeline (the figure is 10,000).
const EVENTS = Number(process.env.E2E_STREAMING_EVENTS ?? 10_000);

/** Streaming events on the shared local stack: Firehose -> transformer -> lake + FIFO queue -> storer -> table -> stream -> emitter -> bus -> consumer. */
describe('streaming events end to end (local stack: Firehose delivery, FIFO queue, table stream, bus, archive)', function () {
  this.timeout(600_000);
  let stack: LocalStack;
  let summary: StreamingEventsSummary;
  let probe: StreamingEventsProbe;
  let dynamodb: DynamoDBClient;
  let seed = Date.now() % 2 ** 31;

  const countItems = (table: string) => countTable(dynamodb, table);
  const firehoseStats = () => stack.firehose.streams.get(summary.delivery_stream_name)!;

  /** Sends records through Firehose and waits until the stream took them all, the tables hold what they should and the bus is idle. */
  async function sendAndSettle(records: GeneratedRecord[], expected: { stored: number; consumed: number }, timeoutMs: number) {
    const started = Date.now();
    const receivedBefore = firehoseStats().stats.received;
    const [storedBefore, consumedBefore] = [await countItems(summary.events_table), await countItems(summary.consumed_table)];
    // What the runtime counts in process: each stored event needs a message the storer finished, each consumed one a successful consumer run.
    const storerDone = () => stack.stats.filter((m) => m.functionName === summary.function_names.storer).reduce((n, m) => n + m.done, 0);
    const [doneBefore, invocationsBefore] = [storerDone(), stack.eventBridge.stats.invocationsSucceeded];
    const sent = await probe.send(records);
    expect(sent.refused, 'Firehose refused records').to.equal(0);
    await waitFor(
      'Firehose to take every record',
      async () => {
        // The buffers flush on their own hints (seconds locally); once every record arrived, the rest now.
        if (firehoseStats().stats.received - receivedBefore < records.length) return undefined;
        await stack.firehose.flush();
        return firehoseStats().pending === 0 ? true : undefined;
      },
      timeoutMs,
    );
    const throughFirehose = Date.now();
    let lastCount = 0;
    await waitFor(
      `${expected.stored} stored and ${expected.consumed} consumed`,
      async () => {
        // A count is a Scan of both tables, which loads the emulator the pipeline runs on (one every 5 s
        // took 13% of its CPU over the 10,000-event run): the tables are counted only once the runtime's
        // own counters say they can hold enough, and then at most every 5 s.
        await new Promise((r) => setTimeout(r, 1_000));
        if (storerDone() - doneBefore < expected.stored || stack.eventBridge.stats.invocationsSucceeded - invocationsBefore < expected.consumed) return undefined;
        if (Date.now() - lastCount < 5_000) return undefined;
        lastCount = Date.now();
        const [stored, consumed] = [(await countItems(summary.events_table)) - storedBefore, (await countItems(summary.consumed_table)) - consumedBefore];
        return stored >= expected.stored && consumed >= expected.consumed ? true : undefined;
      },
      timeoutMs,
    );
    await stack.eventBridge.idle();
    return { firehoseSeconds: (throughFirehose - started) / 1000, settledSeconds: (Date.now() - started) / 1000 };
  }

  before(async function () {
    stack = e2eStack();
    summary = stack.pipelines.streaming_events as unknown as StreamingEventsSummary;
    expect(summary, `pipelines: ${Object.keys(stack.pipelines).join(', ')}`).to.not.equal(undefined);
    expect(stack.firehose.streams.has(summary.delivery_stream_name), 'the delivery stream is delivered locally').to.equal(true);
    probe = streamingEventsProbe(stack.emulatorEndpoint, summary);
    dynamodb = new DynamoDBClient(emulatorClientConfig());
  });
  let logsSeen = 0;
  beforeEach(() => (logsSeen = logs.length));
  afterEach(function () {
    stack.faults.clear();
    // On a failure, what the pipeline's functions and runtimes said during the test.
    if (this.currentTest?.state === 'failed') console.log(logs.slice(logsSeen).filter((l) => /streaming-events|\[firehose|\[sqs|\[stream|\[eventbridge/.test(l)).slice(-80).join('\n'));
  });

  it(`${EVENTS.toLocaleString('en')} generated events (non-ASCII, duplicates, same millisecond, 2% invalid): each valid one in the lake as sent, once in the table, once consumed; each invalid one under the error prefix; every queue empty`, async function () {
    this.timeout(2_400_000);
    const records = generateEvents({ count: EVENTS, invalidShare: 0.02, duplicateShare: 0.01, sameMillisecondShare: 0.1, seed: seed++ });
    const expected = countRecords(records);
    const seconds = await sendAndSettle(records, { stored: expected.valid, consumed: expected.forConsumer }, 1_800_000);
    const snapshot = await probe.snapshot();
    const t = tally(records, snapshot);
    const consumedLines = new Set(records.filter((r) => r.kind === 'valid').map((r) => r.eventId!));
    const logged = new Map<string, number>();
    for (const line of logs) {
      if (!line.includes('event consumed')) continue;
      const eventId = /"eventId":"([0-9a-f-]{36})"/.exec(line)?.[1];
      if (eventId && consumedLines.has(eventId)) logged.set(eventId, (logged.get(eventId) ?? 0) + 1);
    }
    const report = { seconds, counts: t.counts, inLakeAsSent: t.inLakeAsSent, missingFromLake: t.missingFromLake, storedOnce: t.storedOnce, storedTwice: t.storedTwice, consumedOnce: t.consumedOnce, forConsumer: t.forConsumer, consumerLogLines: logged.size, underErrorPrefix: t.underErrorPrefix, lakeUnreadable: snapshot.lakeUnreadable, queues: snapshot.queues };
    console.log(`      ${JSON.stringify(report)}`);
    expect(t.missingFromLake, 'valid events missing from the lake').to.equal(0);
    expect(t.inLakeAsSent, 'valid events in the lake exactly as often as sent').to.equal(t.counts.valid);
    expect(snapshot.lakeUnreadable, 'lines in the lake that are not events').to.equal(0);
    expect(t.storedOnce, 'valid events stored exactly once').to.equal(t.counts.valid);
    expect(t.consumedOnce, `${contract.consumer.detailType} events consumed`).to.equal(t.forConsumer);
    expect([...logged.values()].every((n) => n === 1) && logged.size === t.forConsumer, 'one "event consumed" log line per consumed event').to.equal(true);
    expect(t.underErrorPrefix, 'invalid records under the error prefix').to.equal(t.counts.invalid);
    expect(snapshot.queues).to.deep.equal({ queue: 0, dlq: 0, emitterFailures: 0, consumerDlq: 0 });
  });

  it('keeps a FIFO group in order when the storer fails one of its messages (and the rest of the group waits for it)', async function () {
    const random = seededRandom(seed++);
    const entityId = `order-fifo-${seededUuid(random).slice(0, 8)}`;
    const at = Date.parse('2026-11-23T12:00:00.000Z');
    const events = Array.from({ length: 5 }, (_, i) => ({ eventId: seededUuid(random), entityId, eventType: i === 0 ? 'order.placed' : 'order.paid', occurredAt: new Date(at + i).toISOString(), payload: { step: i, note: 'Zoë 東京 🚚' } }));
    const records: GeneratedRecord[] = events.map((e) => ({ data: Buffer.from(JSON.stringify(e)), kind: 'valid', eventId: e.eventId, entityId, eventType: e.eventType }));
    // The second event's PutItem is refused once (not a throttle: the SDK would retry that itself).
    stack.faults.inject({ service: 'dynamodb', operation: 'PutItem', bodyIncludes: `"S":"${events[1]!.eventId}"`, times: 1, error: { status: 400, code: 'AccessDeniedException', message: 'injected by the e2e test' } });
    await sendAndSettle(records, { stored: 5, consumed: 1 }, 480_000);
    expect(stack.faults.injected()[0]?.failed, 'the fault was hit').to.equal(1);
    const rows = (await probe.snapshot()).stored.filter((r) => r.entityId === entityId);
    const storedAt = events.map((e) => rows.find((r) => r.eventId === e.eventId)?.storedAt ?? '');
    expect(storedAt.every((s) => s !== ''), JSON.stringify(rows)).to.equal(true);
    expect([...storedAt].sort(), 'stored in the order sent').to.deep.equal(storedAt);
    expect(storedAt[1]! > storedAt[0]!, 'the failed message was stored on its retry, after the first').to.equal(true);
  });

  it('retries the PutEvents entries that fail (FailedEntryCount) and calls that fail whole; every event still reaches the consumer once', async function () {
    const records = generateEvents({ count: 40, invalidShare: 0, duplicateShare: 0, sameMillisecondShare: 0, seed: seed++ });
    const t = countRecords(records);
    const [entryTarget, callTarget] = records.filter((r) => r.eventType === contract.consumer.detailType);
    // The call carrying one event fails whole once (first: when both events share a call, this rule answers it)...
    stack.faults.inject({ service: 'events', operation: 'PutEvents', bodyIncludes: callTarget!.eventId!, times: 1, error: { status: 400, code: 'AccessDeniedException', message: 'injected by the e2e test' } });
    // ...and another entry fails twice inside calls whose other entries succeed, as EventBridge answers a partial failure.
    stack.faults.inject({ service: 'events', operation: 'PutEvents', bodyIncludes: entryTarget!.eventId!, entries: true, times: 2, error: { status: 500, code: 'InternalFailure', message: 'injected by the e2e test' } });
    await sendAndSettle(records, { stored: records.length, consumed: t.forConsumer }, 240_000);
    expect(stack.faults.injected().map((r) => r.failed), 'both faults were hit').to.deep.equal([1, 2]);
    const snapshot = await probe.snapshot();
    expect(snapshot.consumed.has(entryTarget!.eventId!) && snapshot.consumed.has(callTarget!.eventId!)).to.equal(true);
    expect(tally(records, snapshot).consumedOnce).to.equal(t.forConsumer);
    expect(snapshot.queues).to.deep.equal({ queue: 0, dlq: 0, emitterFailures: 0, consumerDlq: 0 });
  });

  it('replays the archive: the events reach the consumer again and the consumed table does not change', async function () {
    const events = new EventBridgeClient(emulatorClientConfig());
    const from = new Date(Date.now() - 1_000);
    const records = generateEvents({ count: 30, invalidShare: 0, duplicateShare: 0, sameMillisecondShare: 0, seed: seed++ });
    const t = countRecords(records);
    await sendAndSettle(records, { stored: records.length, consumed: t.forConsumer }, 240_000);
    const to = new Date(Date.now() + 1_000);
    const consumedBefore = await countItems(summary.consumed_table);
    const invocationsBefore = stack.eventBridge.stats.invocationsSucceeded;
    const { ArchiveArn } = await events.send(new DescribeArchiveCommand({ ArchiveName: summary.archive_name }));
    const busArn = ArchiveArn!.replace(/:archive\/.*$/, `:event-bus/${summary.event_bus_name}`);
    const ReplayName = `e2e-${seed}`;
    await events.send(new StartReplayCommand({ ReplayName, EventSourceArn: ArchiveArn!, EventStartTime: from, EventEndTime: to, Destination: { Arn: busArn } }));
    await waitFor('the replay to finish', async () => ((await events.send(new DescribeReplayCommand({ ReplayName }))).State === 'COMPLETED' ? true : undefined), 60_000);
    await waitFor('the replayed events to reach the consumer', () => (stack.eventBridge.stats.invocationsSucceeded - invocationsBefore >= t.forConsumer ? true : undefined), 60_000);
    await stack.eventBridge.idle();
    expect(stack.eventBridge.stats.invocationsSucceeded - invocationsBefore, 'consumer invocations from the replay').to.equal(t.forConsumer);
    expect(await countItems(summary.consumed_table), 'consumed items after the replay').to.equal(consumedBefore);
  });

  it("make demo's scenario: its ~200 events arrive everywhere within its 120 s and it says so", async function () {
    const printed: string[] = [];
    const print = console.log;
    console.log = (...args: unknown[]) => void printed.push(args.join(' '));
    try {
      await streamingEvents.demo({ emulatorEndpoint: stack.emulatorEndpoint, pipeline: stack.pipelines.streaming_events!, endpoints: [], stats: async () => stack.stats });
    } finally {
      console.log = print;
    }
    console.log(printed.map((l) => `      ${l}`).join('\n'));
    expect(printed.join('\n')).to.not.include('not everything arrived');
    expect(printed.join('\n')).to.include('queues: storer 0, storer DLQ 0, emitter failures 0, consumer DLQ 0');
  });
});
