import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import contract from '../../../functions/streaming-events/contract.json';
import { emitRecords, entrySize, PUT_EVENTS_MAX_BYTES } from '../../../functions/streaming-events/emit';
import { eventItem } from '../../../functions/streaming-events/store';
import type { StreamingEvent } from '../../../functions/streaming-events/event';
import { anEvent, recorders } from './fixtures';

const BUS = 'streaming-events-bus';

function streamRecord(sequence: number, event: StreamingEvent, eventName: DynamoDBRecord['eventName'] = 'INSERT', body = JSON.stringify(event)): DynamoDBRecord {
  const item = marshall(eventItem(event, body, '2026-11-23T12:00:00.000Z')) as Record<string, AttributeValue>;
  return { eventID: `e${sequence}`, eventName, dynamodb: { SequenceNumber: String(sequence).padStart(21, '0'), NewImage: eventName === 'REMOVE' ? undefined : item, Keys: { entityId: item.entityId!, sk: item.sk! } } };
}

const seq = (n: number) => String(n).padStart(21, '0');

describe('streaming events: emitter', function () {
  const eventBridge = mockClient(EventBridgeClient);
  /** Entries PutEvents fails, by eventId, and how many more times it fails each. */
  let failures: Map<string, number>;
  const calls = () => eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!);
  const idOf = (detail: string | undefined) => (JSON.parse(detail!) as { eventId: string }).eventId;

  beforeEach(function () {
    eventBridge.reset();
    failures = new Map();
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput): Partial<PutEventsCommandOutput> => {
      const bytes = input.Entries!.reduce((sum, e) => sum + entrySize(e), 0);
      if (input.Entries!.length > 10 || bytes > PUT_EVENTS_MAX_BYTES) throw new Error(`request of ${input.Entries!.length} entries / ${bytes} bytes`);
      let failed = 0;
      const Entries = input.Entries!.map((entry) => {
        const id = idOf(entry.Detail);
        const left = failures.get(id) ?? 0;
        if (left > 0) {
          failures.set(id, left - 1);
          failed += 1;
          return { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' };
        }
        return { EventId: `bus-${id}` };
      });
      return { FailedEntryCount: failed, Entries };
    });
  });

  const emit = (records: DynamoDBRecord[], sleeps: number[] = []) => emitRecords(new EventBridgeClient({}), records, { eventBusName: BUS, sleep: async (ms) => void sleeps.push(ms) });

  it('publishes each inserted event with the contract source, its eventType as detail-type and the stored serialization as detail', async function () {
    const event = anEvent({ eventType: 'order.shipped', payload: { city: 'Kraków' } });
    const body = JSON.stringify(event).replace('"payload":{', '"payload":{"__proto__":{"x":1},');
    const result = await emit([streamRecord(1, event, 'INSERT', body)]);
    expect(result).to.deep.include({ emitted: 1, skipped: 0, calls: 1, failedEntries: 0, batchItemFailures: [] });
    expect(calls()[0]).to.deep.equal([{ EventBusName: BUS, Source: contract.eventBridge.source, DetailType: 'order.shipped', Detail: body }]);
  });

  it('only inserts emit: a modify or remove of the store is not news', async function () {
    const result = await emit([streamRecord(1, anEvent(), 'MODIFY'), streamRecord(2, anEvent(), 'REMOVE'), streamRecord(3, anEvent())]);
    expect(result).to.deep.include({ emitted: 1, skipped: 2 });
    expect(calls().flat()).to.have.length(1);
  });

  it('10 entries per call, fewer when the bytes add up to more than 1 MiB', async function () {
    await emit(Array.from({ length: 23 }, (_, i) => streamRecord(i, anEvent())));
    expect(calls().map((c) => c.length)).to.deep.equal([10, 10, 3]);
    eventBridge.resetHistory();
    await emit(Array.from({ length: 6 }, (_, i) => streamRecord(i, anEvent({ payload: { s: 'é'.repeat(120_000) } }))));
    // ~240 KB each: four fit in 1 MiB.
    expect(calls().map((c) => c.length)).to.deep.equal([4, 2]);
  });

  it('retries only the entries PutEvents failed (FailedEntryCount), with backoff, until they pass', async function () {
    const events = Array.from({ length: 12 }, () => anEvent());
    failures.set(events[2]!.eventId, 1);
    failures.set(events[11]!.eventId, 2);
    const sleeps: number[] = [];
    const result = await emit(events.map((e, i) => streamRecord(i, e)), sleeps);
    expect(calls().map((c) => c.map((e) => idOf(e.Detail)))).to.deep.equal([
      events.slice(0, 10).map((e) => e.eventId),
      events.slice(10).map((e) => e.eventId),
      [events[2]!.eventId, events[11]!.eventId],
      [events[11]!.eventId],
    ]);
    expect(result).to.deep.include({ emitted: 12, failedEntries: 3, batchItemFailures: [] });
    expect(sleeps).to.have.length(2);
  });

  it('records still failing after every attempt: reported from the lowest failed one on, later successes included', async function () {
    const events = Array.from({ length: 6 }, () => anEvent());
    failures.set(events[3]!.eventId, 99);
    failures.set(events[5]!.eventId, 99);
    const result = await emit(events.map((e, i) => streamRecord(i, e)));
    expect(result.batchItemFailures).to.deep.equal([seq(3), seq(4), seq(5)]);
    expect(result.failures.map((f) => [f.sequenceNumber, f.eventId, f.reason])).to.deep.equal([
      [seq(3), events[3]!.eventId, 'PutEvents failed the entry: InternalFailure (try again)'],
      [seq(5), events[5]!.eventId, 'PutEvents failed the entry: InternalFailure (try again)'],
    ]);
    // 4 attempts by default: the two failing entries are sent 4 times, nothing else again.
    expect(calls().map((c) => c.length)).to.deep.equal([6, 2, 2, 2]);
    expect(result.emitted).to.equal(4);
  });

  it('a call that throws counts as every entry of it failing, and is retried', async function () {
    eventBridge.on(PutEventsCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }] });
    const result = await emit([streamRecord(1, anEvent())]);
    expect(result).to.deep.include({ emitted: 1, calls: 2, failedEntries: 1, batchItemFailures: [] });
  });

  it('a record that is not a stored event is reported (from it on) and never published', async function () {
    const good = anEvent();
    const broken: DynamoDBRecord = { eventID: 'x', eventName: 'INSERT', dynamodb: { SequenceNumber: seq(2), NewImage: { entityId: { S: 'a' } } } };
    const result = await emit([streamRecord(1, good), broken, streamRecord(3, anEvent())]);
    expect(result.batchItemFailures).to.deep.equal([seq(2), seq(3)]);
    expect(result.failures[0]!.reason).to.match(/not a stored event/);
    expect(calls().flat().map((e) => idOf(e.Detail))).to.have.length(2).and.to.include(good.eventId);
  });

  it('handler: metrics for failed entries and unemitted records, an error log, batchItemFailures for Lambda', async function () {
    process.env.EVENT_BUS_NAME = BUS;
    const { emitter } = await import('../../../functions/streaming-events/emitter.handler');
    const rec = recorders();
    const events = [anEvent(), anEvent()];
    failures.set(events[0]!.eventId, 99);
    const response = await emitter({ eventBridge: new EventBridgeClient({}), eventBusName: BUS, logger: rec.logger, metrics: rec.metricsSink, sleep: async () => {} })({ Records: events.map((e, i) => streamRecord(i, e)) });
    expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: seq(0) }, { itemIdentifier: seq(1) }]);
    expect(rec.metrics).to.deep.equal([
      { name: contract.metrics.putEventsFailedEntries, value: 4 },
      { name: contract.metrics.unemittedRecords, value: 1 },
    ]);
    expect(rec.logs.some((l) => l.level === 'error')).to.equal(true);
  });
});
