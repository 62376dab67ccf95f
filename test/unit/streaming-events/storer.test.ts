import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, type AttributeValue, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import contract from '../../../functions/streaming-events/contract.json';
import type { StreamingEvent } from '../../../functions/streaming-events/event';
import { anEvent, recorders } from './fixtures';

const TABLE = 'events';

function sqsRecord(id: string, body: string, group: string, receiveCount = 1): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `h-${id}`,
    body,
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 's', ApproximateFirstReceiveTimestamp: '0', MessageGroupId: group, SequenceNumber: id.padStart(20, '0'), MessageDeduplicationId: id },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:events.fifo',
    awsRegion: 'us-east-1',
  };
}

const message = (id: string, event: StreamingEvent) => sqsRecord(id, JSON.stringify(event), event.entityId);

describe('streaming events: storer', function () {
  const dynamodb = mockClient(DynamoDBClient);
  /** The table: PutItem honours attribute_not_exists on the key, like DynamoDB. */
  let table: Map<string, Record<string, AttributeValue>>;
  let failing: Set<string>;
  const keyOf = (item: Record<string, AttributeValue>) => `${item.entityId!.S}|${item.sk!.S}`;
  const puts = () => dynamodb.commandCalls(PutItemCommand).map((c) => unmarshall(c.args[0].input.Item!) as { eventId: string });

  beforeEach(function () {
    dynamodb.reset();
    table = new Map();
    failing = new Set();
    dynamodb.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
      const item = input.Item!;
      if (failing.has(item.eventId!.S!)) throw Object.assign(new Error('ProvisionedThroughputExceededException'), { name: 'ProvisionedThroughputExceededException' });
      const existing = table.get(keyOf(item));
      if (existing) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: existing });
      table.set(keyOf(item), item);
      return {};
    });
  });

  async function store(records: SQSRecord[]) {
    process.env.TABLE_NAME = TABLE;
    const { storer } = await import('../../../functions/streaming-events/storer.handler');
    const rec = recorders();
    const response = await storer({ dynamodb: new DynamoDBClient({}), tableName: TABLE, logger: rec.logger, metrics: rec.metricsSink, now: () => new Date('2026-11-23T12:00:00.000Z') })({ Records: records } as SQSEvent);
    return { failed: response.batchItemFailures.map((f) => f.itemIdentifier), ...rec };
  }

  it('stores each event under entity + occurredAt#eventId with a conditional put, the event kept as serialized', async function () {
    const event = anEvent({ payload: { name: 'Zoë' } });
    const { failed } = await store([message('1', event)]);
    expect(failed).to.deep.equal([]);
    const input = dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(input).to.deep.include({ TableName: TABLE, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': contract.table.partitionKey } });
    expect(unmarshall(input.Item!)).to.deep.equal({
      entityId: event.entityId,
      sk: `${event.occurredAt}#${event.eventId}`,
      eventId: event.eventId,
      eventType: event.eventType,
      occurredAt: event.occurredAt,
      event: JSON.stringify(event),
      storedAt: '2026-11-23T12:00:00.000Z',
    });
  });

  it('two events of one entity in the same millisecond are two rows', async function () {
    const a = anEvent();
    const b = anEvent();
    await store([message('1', a), message('2', b)]);
    expect(table.size).to.equal(2);
  });

  it('a redelivered message changes nothing and is not a failure', async function () {
    const event = anEvent();
    await store([message('1', event)]);
    const before = [...table.values()];
    const { failed, metrics } = await store([message('1', event), message('2', event)]);
    expect(failed).to.deep.equal([]);
    expect([...table.values()]).to.deep.equal(before);
    expect(metrics).to.deep.include({ name: contract.metrics.conflictingDuplicates, value: 0 });
  });

  it('another event under the same key (same id, entity and time, other payload): the first stays, a warning and a metric say so', async function () {
    const event = anEvent();
    await store([message('1', event)]);
    const { failed, logs, metrics } = await store([message('2', { ...event, payload: { other: true } })]);
    expect(failed).to.deep.equal([]);
    expect(unmarshall([...table.values()][0]!).event).to.equal(JSON.stringify(event));
    expect(logs.some((l) => l.level === 'warn' && l.extra.eventId === event.eventId)).to.equal(true);
    expect(metrics).to.deep.include({ name: contract.metrics.conflictingDuplicates, value: 1 });
  });

  it('FIFO: the first failure of a group fails it and every later message of that group; other groups carry on', async function () {
    const a1 = anEvent({ entityId: 'a' });
    const a2 = anEvent({ entityId: 'a' });
    const b1 = anEvent({ entityId: 'b' });
    const a3 = anEvent({ entityId: 'a' });
    const b2 = anEvent({ entityId: 'b' });
    const c1 = anEvent({ entityId: 'c' });
    failing.add(a2.eventId);
    const { failed } = await store([message('1', a1), message('2', a2), message('3', b1), message('4', a3), message('5', b2), message('6', c1)]);
    expect(failed).to.deep.equal(['2', '4']);
    // a3 is never attempted: storing it before a2 would break the group's order.
    expect(puts().map((p) => p.eventId)).to.deep.equal([a1.eventId, a2.eventId, b1.eventId, b2.eventId, c1.eventId]);
  });

  it('an invalid body (sent to the queue without the transformer) fails its group and logs why; the message goes on to the DLQ', async function () {
    const b1 = anEvent({ entityId: 'b' });
    const { failed, logs } = await store([sqsRecord('1', '{"not":"an event"}', 'a'), sqsRecord('2', 'x', 'a'), message('3', b1)]);
    expect(failed).to.deep.equal(['1', '2']);
    expect(table.size).to.equal(1);
    const error = logs.find((l) => l.level === 'error')!;
    expect(error.extra).to.deep.include({ messageId: '1', messageGroupId: 'a' });
    expect(String((error.extra.error as Error).message)).to.include('record is not an event');
  });

  it('a whole batch failing is reported record by record, not thrown', async function () {
    const events = [anEvent(), anEvent()];
    for (const e of events) failing.add(e.eventId);
    const { failed } = await store(events.map((e, i) => message(String(i + 1), e)));
    expect(failed).to.deep.equal(['1', '2']);
  });

  it('messages that arrive out of order (a redelivery after later ones) still end as one row each, keyed by time', async function () {
    const early = anEvent({ occurredAt: '2026-11-23T10:00:00.001Z' });
    const late = anEvent({ occurredAt: '2026-11-23T10:00:00.002Z' });
    await store([message('2', late)]);
    await store([message('1', early), message('2', late)]);
    expect([...table.values()].map((i) => i.sk!.S).sort()).to.deep.equal([`${early.occurredAt}#${early.eventId}`, `${late.occurredAt}#${late.eventId}`]);
  });
});
