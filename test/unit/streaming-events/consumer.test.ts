import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import contract from '../../../functions/streaming-events/contract.json';
import type { StreamingEvent } from '../../../functions/streaming-events/event';
import { anEvent, recorders } from './fixtures';

const TABLE = 'consumed';

const busEvent = (event: StreamingEvent | Record<string, unknown>, detailType = contract.consumer.detailType, id = 'bus-1'): EventBridgeEvent<string, unknown> => ({
  id,
  version: '0',
  account: '123456789012',
  time: '2026-11-23T12:00:00Z',
  region: 'us-east-1',
  resources: [],
  source: contract.eventBridge.source,
  'detail-type': detailType,
  detail: event,
});

describe('streaming events: consumer', function () {
  const dynamodb = mockClient(DynamoDBClient);
  let consumed: Set<string>;

  beforeEach(function () {
    dynamodb.reset();
    consumed = new Set();
    dynamodb.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
      const id = input.Item!.eventId!.S!;
      if (consumed.has(id)) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
      consumed.add(id);
      return {};
    });
  });

  async function consume(events: EventBridgeEvent<string, unknown>[]) {
    process.env.CONSUMED_TABLE = TABLE;
    const { consumer } = await import('../../../functions/streaming-events/consumer.handler');
    const rec = recorders();
    const handle = consumer({ dynamodb: new DynamoDBClient({}), tableName: TABLE, logger: rec.logger, now: () => new Date('2026-11-23T12:00:01.000Z') });
    const errors: unknown[] = [];
    for (const event of events) await handle(event).catch((e: unknown) => errors.push(e));
    return { ...rec, errors, consumedLines: rec.logs.filter((l) => l.message === 'event consumed') };
  }

  it(`reacts to ${contract.consumer.detailType}: marks the eventId with a conditional put and logs one line`, async function () {
    const event = anEvent({ eventType: contract.consumer.detailType });
    const { consumedLines } = await consume([busEvent(event)]);
    const input = dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(input).to.deep.include({ TableName: TABLE, ConditionExpression: 'attribute_not_exists(#id)', ExpressionAttributeNames: { '#id': 'eventId' } });
    expect(unmarshall(input.Item!)).to.deep.equal({ eventId: event.eventId, entityId: event.entityId, occurredAt: event.occurredAt, busEventId: 'bus-1', consumedAt: '2026-11-23T12:00:01.000Z' });
    expect(consumedLines.map((l) => l.extra.eventId)).to.deep.equal([event.eventId]);
  });

  it('the same event delivered again (retry, re-emission, archive replay) is consumed once', async function () {
    const event = anEvent({ eventType: contract.consumer.detailType });
    const { consumedLines, errors } = await consume([busEvent(event, undefined, 'bus-1'), busEvent(event, undefined, 'bus-2'), busEvent(event, undefined, 'replay-1')]);
    expect(errors).to.deep.equal([]);
    expect(consumedLines).to.have.length(1);
  });

  it('ignores other detail-types without writing anything', async function () {
    const { consumedLines, logs } = await consume([busEvent(anEvent({ eventType: 'order.paid' }), 'order.paid')]);
    expect(dynamodb.commandCalls(PutItemCommand)).to.have.length(0);
    expect(consumedLines).to.have.length(0);
    expect(logs[0]!.message).to.equal('event ignored');
  });

  it('a detail that is not a valid event throws (the target retries, then its DLQ keeps it)', async function () {
    const { errors, logs } = await consume([busEvent({ eventId: 'nope' })]);
    expect(errors).to.have.length(1);
    expect((errors[0] as Error).message).to.include('eventId');
    expect(logs.some((l) => l.level === 'error')).to.equal(true);
  });

  it('a DynamoDB error other than the condition is thrown, not taken for a duplicate', async function () {
    dynamodb.on(PutItemCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const { errors, consumedLines } = await consume([busEvent(anEvent({ eventType: contract.consumer.detailType }))]);
    expect(errors).to.have.length(1);
    expect(consumedLines).to.have.length(0);
  });
});
