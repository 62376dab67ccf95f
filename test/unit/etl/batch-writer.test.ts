import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchWriteItemCommand, DynamoDBClient, type BatchWriteItemCommandInput } from '@aws-sdk/client-dynamodb';
import { BatchWriter } from '../../../functions/lib/batch-writer';

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: `p${i}`, sk: 's', v: i }));

describe('BatchWriter', function () {
  const dynamodb = mockClient(DynamoDBClient);
  beforeEach(() => dynamodb.reset());
  const options = { tableName: 't', keyAttributes: ['pk', 'sk'], sleep: async () => {}, random: () => 0.5 };

  it('writes 25 items per call', async function () {
    dynamodb.on(BatchWriteItemCommand).resolves({});
    const writer = new BatchWriter(new DynamoDBClient({}), options);
    for (const item of items(60)) await writer.put(item);
    await writer.flush();
    const sizes = dynamodb.commandCalls(BatchWriteItemCommand).map((c) => c.args[0].input.RequestItems!.t!.length);
    expect(sizes).to.deep.equal([25, 25, 10]);
    expect(writer.stats).to.deep.equal({ items: 60, calls: 3, retries: 0 });
  });

  it('sends items in the wire shape the marshall option gives (default: util-dynamodb marshall)', async function () {
    dynamodb.on(BatchWriteItemCommand).resolves({});
    const writer = new BatchWriter(new DynamoDBClient({}), { ...options, marshall: (item) => ({ pk: { S: `wired ${String(item.pk)}` }, sk: { S: String(item.sk) } }) });
    await writer.put({ pk: 'a', sk: 's', v: 1 });
    await writer.flush();
    expect(dynamodb.commandCalls(BatchWriteItemCommand)[0]!.args[0].input.RequestItems!.t).to.deep.equal([{ PutRequest: { Item: { pk: { S: 'wired a' }, sk: { S: 's' } } } }]);
    const plain = new BatchWriter(new DynamoDBClient({}), options);
    await plain.put({ pk: 'a', sk: 's', v: 1 });
    await plain.flush();
    expect(dynamodb.commandCalls(BatchWriteItemCommand)[1]!.args[0].input.RequestItems!.t).to.deep.equal([{ PutRequest: { Item: { pk: { S: 'a' }, sk: { S: 's' }, v: { N: '1' } } } }]);
  });

  it('retries UnprocessedItems with backoff until all are written', async function () {
    let call = 0;
    dynamodb.on(BatchWriteItemCommand).callsFake((input: BatchWriteItemCommandInput) => {
      call += 1;
      const requests = input.RequestItems!.t!;
      // The first two attempts leave all but one item unprocessed (as a throttled table does).
      return call <= 2 ? { UnprocessedItems: { t: requests.slice(1) } } : {};
    });
    const delays: number[] = [];
    const writer = new BatchWriter(new DynamoDBClient({}), { ...options, sleep: async (ms) => void delays.push(ms) });
    for (const item of items(25)) await writer.put(item);
    await writer.flush();
    const sizes = dynamodb.commandCalls(BatchWriteItemCommand).map((c) => c.args[0].input.RequestItems!.t!.length);
    expect(sizes).to.deep.equal([25, 24, 23]);
    expect(delays).to.deep.equal([25, 50]); // full jitter with random 0.5: 0.5 * 50 * 2^attempt
  });

  it('retries throttling errors and fails after maxAttempts', async function () {
    const throttled = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
    dynamodb.on(BatchWriteItemCommand).rejectsOnce(throttled).resolves({});
    const writer = new BatchWriter(new DynamoDBClient({}), options);
    await writer.put(items(1)[0]!);
    await writer.flush();
    expect(writer.stats.retries).to.equal(1);

    dynamodb.reset();
    dynamodb.on(BatchWriteItemCommand).rejects(throttled);
    const failing = new BatchWriter(new DynamoDBClient({}), { ...options, maxAttempts: 3 });
    await failing.put(items(1)[0]!);
    let error: Error | undefined;
    await failing.flush().catch((e: Error) => (error = e));
    expect(error?.message).to.match(/1 items not written to t after 3 attempts/);
  });

  it('does not retry errors that retrying cannot fix', async function () {
    dynamodb.on(BatchWriteItemCommand).rejects(Object.assign(new Error('bad'), { name: 'ValidationException' }));
    const writer = new BatchWriter(new DynamoDBClient({}), options);
    await writer.put(items(1)[0]!);
    let error: Error | undefined;
    await writer.flush().catch((e: Error) => (error = e));
    expect(error?.name).to.equal('ValidationException');
    expect(dynamodb.commandCalls(BatchWriteItemCommand)).to.have.length(1);
  });

  it('keeps several calls in flight, and never two rows with one key in one call', async function () {
    let inFlight = 0;
    let peak = 0;
    dynamodb.on(BatchWriteItemCommand).callsFake(async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      return {};
    });
    const writer = new BatchWriter(new DynamoDBClient({}), { ...options, concurrency: 4 });
    for (const item of items(250)) await writer.put(item);
    await writer.put({ pk: 'p0', sk: 's', v: -1 });
    await writer.flush();
    expect(peak).to.equal(4);
    for (const call of dynamodb.commandCalls(BatchWriteItemCommand)) {
      const keys = call.args[0].input.RequestItems!.t!.map((r) => `${r.PutRequest!.Item!.pk!.S}`);
      expect(new Set(keys).size).to.equal(keys.length);
    }
  });
});
