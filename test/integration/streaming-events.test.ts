import { expect } from 'chai';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, DeleteMessageBatchCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, EventBridgeEvent, SQSEvent } from 'aws-lambda';
import contract from '../../functions/streaming-events/contract.json';
import type { StreamingEvent } from '../../functions/streaming-events/event';
import { countRecords, generateEvents, INVALID_KINDS } from '../../scripts/lib/generate-events';
import { toLambdaRecord } from '../../local/event-sources/dynamodb-stream';
import { pollOnce } from '../../local/event-sources/sqs';
import { firehoseEvent, recorders } from '../unit/streaming-events/fixtures';
import { useMoto } from '../support/moto';

type Handlers = typeof import('../../functions/streaming-events/transformer.handler') &
  typeof import('../../functions/streaming-events/storer.handler') &
  typeof import('../../functions/streaming-events/emitter.handler') &
  typeof import('../../functions/streaming-events/consumer.handler');

/** The handler modules validate their environment when imported: import them once it is set. */
async function importHandlers(): Promise<Pick<Handlers, 'transformer' | 'storer' | 'emitter' | 'consumer'>> {
  Object.assign(process.env, { QUEUE_URL: 'http://localhost/placeholder.fifo', TABLE_NAME: 'events', EVENT_BUS_NAME: 'events-bus', CONSUMED_TABLE: 'consumed' });
  const [{ transformer }, { storer }, { emitter }, { consumer }] = await Promise.all([
    import('../../functions/streaming-events/transformer.handler'),
    import('../../functions/streaming-events/storer.handler'),
    import('../../functions/streaming-events/emitter.handler'),
    import('../../functions/streaming-events/consumer.handler'),
  ]);
  return { transformer, storer, emitter, consumer };
}

describe('streaming events: transformer -> FIFO queue -> storer -> table stream -> emitter -> bus -> SQS target (moto)', function () {
  this.timeout(180_000);
  useMoto();
  const region = 'us-east-1';
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  let eventBridge: EventBridgeClient;
  let fifo: { url: string; arn: string };
  let target: { url: string; arn: string };
  let streamArn: string;
  const iterators = new Map<string, string | undefined>();
  const rec = recorders();
  let handlers: Awaited<ReturnType<typeof importHandlers>>;

  async function queue(name: string, attributes: Record<string, string>) {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    return { url, arn };
  }

  before(async function () {
    handlers = await importHandlers();
    sqs = new SQSClient({});
    dynamodb = new DynamoDBClient({});
    streams = new DynamoDBStreamsClient({});
    eventBridge = new EventBridgeClient({});
    // As Terraform will make it: FIFO, deduplication ids given by the sender, 262,144 bytes at most.
    fifo = await queue('events.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'false', MaximumMessageSize: '262144', VisibilityTimeout: '0' });
    target = await queue('bus-target', {});
    const { partitionKey, sortKey } = contract.table;
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'events',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }, { AttributeName: sortKey, KeyType: 'RANGE' }],
        AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }, { AttributeName: sortKey, AttributeType: 'S' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: contract.table.streamViewType as 'NEW_IMAGE' },
      }),
    );
    streamArn = (await dynamodb.send(new DescribeTableCommand({ TableName: 'events' }))).Table!.LatestStreamArn!;
    await dynamodb.send(new CreateTableCommand({ TableName: 'consumed', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'eventId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'eventId', AttributeType: 'S' }] }));
    await eventBridge.send(new CreateEventBusCommand({ Name: 'events-bus' }));
    await eventBridge.send(new PutRuleCommand({ Name: 'all-events', EventBusName: 'events-bus', EventPattern: JSON.stringify({ source: [contract.eventBridge.source] }) }));
    await eventBridge.send(new PutTargetsCommand({ Rule: 'all-events', EventBusName: 'events-bus', Targets: [{ Id: 'queue', Arn: target.arn }] }));
  });

  const transform = () => handlers.transformer({ sqs, queueUrl: fifo.url, logger: rec.logger, metrics: rec.metricsSink });
  const store = () => handlers.storer({ dynamodb, tableName: 'events', logger: rec.logger, metrics: rec.metricsSink });
  const emit = () => handlers.emitter({ eventBridge, eventBusName: 'events-bus', logger: rec.logger, metrics: rec.metricsSink });

  /** What a FIFO event source mapping does: receive up to 10, invoke, delete all but the reported failures. */
  async function drainFifo(invoke: (event: SQSEvent) => ReturnType<ReturnType<typeof store>>) {
    let stats = { received: 0, failed: 0 };
    for (let empty = 0; empty < 2; ) {
      const poll = await pollOnce(sqs, { queueUrl: fifo.url, queueArn: fifo.arn, region, batchSize: 10, reportBatchItemFailures: true, invoke });
      if (poll.received === 0) empty += 1;
      stats = { received: stats.received + poll.received, failed: stats.failed + poll.failed };
    }
    return stats;
  }

  /** The table's stream records so far, as Lambda hands them to the emitter. */
  async function readStream(): Promise<DynamoDBRecord[]> {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const records: DynamoDBRecord[] = [];
    for (const shard of StreamDescription!.Shards ?? []) {
      if (!iterators.has(shard.ShardId!)) {
        iterators.set(shard.ShardId!, (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator);
      }
      for (;;) {
        const { Records = [], NextShardIterator } = await streams.send(new GetRecordsCommand({ ShardIterator: iterators.get(shard.ShardId!)!, Limit: 1000 }));
        iterators.set(shard.ShardId!, NextShardIterator);
        records.push(...Records.map((r) => toLambdaRecord(r, streamArn, region)));
        if (Records.length === 0) break;
      }
    }
    return records;
  }

  async function receiveAll(url: string): Promise<Message[]> {
    const messages: Message[] = [];
    for (let empty = 0; empty < 2; ) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
      if (Messages.length === 0) empty += 1;
      messages.push(...Messages);
      if (Messages.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    return messages;
  }

  const scanAll = async (table: string) => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, never> | undefined;
    do {
      const page = await dynamodb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []).map((i) => unmarshall(i)));
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start);
    return items;
  };

  it('generated traffic: every valid event once in the table and once on the bus target, duplicates included; every invalid record ProcessingFailed', async function () {
    const records = generateEvents({ count: 120, invalidShare: 0.1, duplicateShare: 0.05, sameMillisecondShare: 0.1, seed: 42, start: new Date('2026-11-23T10:00:00.000Z') });
    const counts = countRecords(records);
    // Every kind of invalid record, and moto's FIFO queue kept small: its sends slow down as it fills.
    expect(new Set(records.map((r) => r.invalid).filter(Boolean)).size).to.equal(INVALID_KINDS.length);
    const data = records.map((r) => r.data);

    // Firehose invokes with batches; the second half is sent twice, as a Firehose retry would.
    const first = await transform()(firehoseEvent(data.slice(0, 60)));
    const second = await transform()(firehoseEvent(data.slice(60)));
    await transform()(firehoseEvent(data.slice(60)));
    const results = [...first.records, ...second.records];
    expect(results.filter((r) => r.result === 'ProcessingFailed')).to.have.length(counts.invalid);
    const lines = results.filter((r) => r.result === 'Ok').map((r) => Buffer.from(r.data!, 'base64').toString('utf8'));
    expect(lines.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1)).to.equal(true);

    // SQS dropped the byte-identical duplicates and the retried batch by deduplication id.
    const stored = await drainFifo(store());
    expect(stored).to.deep.equal({ received: counts.valid, failed: 0 });
    const rows = await scanAll('events');
    expect(rows).to.have.length(counts.valid);
    const validIds = new Set(records.filter((r) => r.kind === 'valid').map((r) => r.eventId));
    expect(new Set(rows.map((r) => r.eventId))).to.deep.equal(validIds);
    // Same-millisecond events of one entity are all there.
    const perInstant = new Map<string, number>();
    for (const row of rows) perInstant.set(`${String(row.entityId)}@${String(row.occurredAt)}`, (perInstant.get(`${String(row.entityId)}@${String(row.occurredAt)}`) ?? 0) + 1);
    expect([...perInstant.values()].some((n) => n > 1)).to.equal(true);

    const streamRecords = await readStream();
    expect(streamRecords.filter((r) => r.eventName === 'INSERT')).to.have.length(counts.valid);
    // Lambda hands the stream over in batches of up to 100.
    for (let i = 0; i < streamRecords.length; i += 100) {
      const response = await emit()({ Records: streamRecords.slice(i, i + 100) });
      expect(response.batchItemFailures).to.deep.equal([]);
    }

    const delivered = await receiveAll(target.url);
    const busEvents = delivered.map((m) => JSON.parse(m.Body!) as EventBridgeEvent<string, StreamingEvent>);
    const ids = busEvents.map((e) => e.detail.eventId);
    expect(ids).to.have.length(counts.valid);
    expect(new Set(ids)).to.deep.equal(validIds);
    for (const event of busEvents) {
      expect(event.source).to.equal(contract.eventBridge.source);
      expect(event['detail-type']).to.equal(event.detail.eventType);
    }
    // Non-ASCII text arrives as it left.
    const original = records.find((r) => r.kind === 'valid' && r.eventId === ids[0])!;
    expect(busEvents[0]!.detail).to.deep.equal(JSON.parse(original.data.toString('utf8')));

    // The consumer, fed every bus event twice (a retry, a replay), consumes each of its type once.
    const consume = handlers.consumer({ dynamodb, tableName: 'consumed', logger: rec.logger });
    for (const event of [...busEvents, ...busEvents]) await consume(event);
    const consumed = await scanAll('consumed');
    expect(consumed).to.have.length(counts.forConsumer);
    expect(rec.logs.filter((l) => l.message === 'event consumed')).to.have.length(counts.forConsumer);
  });

  it('a redelivered FIFO message and a re-read stream change nothing: no new row, no new stream record, no new bus event', async function () {
    const before = (await scanAll('events')).length;
    const rows = await scanAll('events');
    const row = rows[0] as { event: string; entityId: string };
    // The same event again, under another deduplication id (as after the 5-minute window).
    const event = JSON.parse(row.event) as StreamingEvent;
    await transform()(firehoseEvent([Buffer.from(`${JSON.stringify(event)} `, 'utf8')]));
    expect(await drainFifo(store())).to.deep.equal({ received: 1, failed: 0 });
    expect(await scanAll('events')).to.have.length(before);
    expect(await readStream()).to.deep.equal([]);
    expect(await receiveAll(target.url)).to.deep.equal([]);
  });
});
