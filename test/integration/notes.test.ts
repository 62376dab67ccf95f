import { expect } from 'chai';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { approximateDepth } from '../../scripts/lib/redrive';
import { failedSequenceNumbers, forwardRecords } from '../../functions/notes/forward';
import { MAX_CONTENT_CHARACTERS } from '../../functions/notes/note';
import { countWords } from '../../functions/notes/word-count';
import { handleNotes } from '../../functions/notes/notes-api';
import { recountUncounted } from '../../scripts/lib/recount';
import { deliverBatch, toLambdaRecord } from '../../local/event-sources/dynamodb-stream';
import { pollOnce, toSqsRecord } from '../../local/event-sources/sqs';
import { useMoto } from '../support/moto';

describe('notes: API -> table stream -> forwarder -> SQS -> word count (moto)', function () {
  this.timeout(120_000);
  useMoto();
  let dynamodb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  let sqs: SQSClient;
  let streamArn: string;
  let queue: { url: string; arn: string; dlqUrl: string };
  let wordCount: (event: SQSEvent) => Promise<SQSBatchResponse>;
  const iterators = new Map<string, string | undefined>();
  const stats = { sendMessageBatchCalls: 0, forwarded: 0, skipped: 0 };

  before(async function () {
    dynamodb = new DynamoDBClient({});
    streams = new DynamoDBStreamsClient({});
    sqs = new SQSClient({});
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'notes',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'noteId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'noteId', AttributeType: 'S' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    streamArn = (await dynamodb.send(new DescribeTableCommand({ TableName: 'notes' }))).Table!.LatestStreamArn!;
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'word-count-dlq' }))).QueueUrl!;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    // MaximumMessageSize as Terraform's AWS provider sets it (it caps the attribute at 262,144).
    const url = (
      await sqs.send(
        new CreateQueueCommand({ QueueName: 'word-count', Attributes: { VisibilityTimeout: '0', MaximumMessageSize: '262144', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) } }),
      )
    ).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    queue = { url, arn, dlqUrl };
    process.env.TABLE_NAME = 'notes';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    ({ handler: wordCount } = await import('../../functions/notes/word-count.handler'));
  });

  const api = (method: string, noteId?: string, body?: object) => handleNotes(dynamodb, 'notes', { method, path: '/notes', noteId, body: body ? JSON.stringify(body) : null, query: {} });
  const note = async (noteId: string) => {
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: 'notes', Key: { noteId: { S: noteId } }, ConsistentRead: true }));
    return Item && unmarshall(Item);
  };

  /** Reads what the stream has, then delivers it to the forwarder as the mapping would (filter: inserts and updates). */
  async function pumpStream(): Promise<DynamoDBRecord[]> {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const records: DynamoDBRecord[] = [];
    for (const shard of StreamDescription!.Shards ?? []) {
      if (!iterators.has(shard.ShardId!)) {
        iterators.set(shard.ShardId!, (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator);
      }
      const { Records = [], NextShardIterator } = await streams.send(new GetRecordsCommand({ ShardIterator: iterators.get(shard.ShardId!)!, Limit: 100 }));
      iterators.set(shard.ShardId!, NextShardIterator);
      records.push(...Records.map((r) => toLambdaRecord(r, streamArn, 'us-east-1')).filter((r) => r.eventName !== 'REMOVE'));
    }
    if (records.length > 0) {
      await deliverBatch(records, {
        streamArn, region: 'us-east-1', batchSize: 100, startingPosition: 'TRIM_HORIZON', filters: [], bisectOnError: true, maximumRetryAttempts: 2, maximumRecordAgeSeconds: -1, reportBatchItemFailures: true,
        invoke: async (event) => {
          const result = await forwardRecords(sqs, event.Records, { queueUrl: queue.url });
          stats.sendMessageBatchCalls += result.calls;
          stats.forwarded += result.forwarded;
          stats.skipped += result.skipped;
          return { batchItemFailures: failedSequenceNumbers(result).map((itemIdentifier) => ({ itemIdentifier })) };
        },
        onFailure: async () => {
          throw new Error('no record should exhaust its retries here');
        },
      });
    }
    return records;
  }

  async function receiveAll(): Promise<Message[]> {
    const messages: Message[] = [];
    for (let empty = 0; empty < 2; ) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, VisibilityTimeout: 60, MessageSystemAttributeNames: ['All'] }));
      if (Messages.length === 0) empty += 1;
      messages.push(...Messages);
    }
    return messages;
  }

  const countBodies = (messages: Message[]) => wordCount({ Records: messages.map((m) => toSqsRecord(m, { queueArn: queue.arn, region: 'us-east-1' })) });

  it('create, update, and update again quickly: the final count matches the final content, even out of order', async function () {
    const created = await api('POST', undefined, { title: 't', content: 'one two three' });
    const noteId = (created.body as { noteId: string }).noteId;
    await api('PUT', noteId, { content: 'four five' });
    await api('PUT', noteId, { content: '  six\tseven\neight  nine ' });
    await pumpStream();
    const messages = await receiveAll();
    expect(messages.map((m) => (JSON.parse(m.Body!) as { version: number }).version)).to.deep.equal([1, 2, 3]);

    // Deliver newest first, then the stale ones: only version 3 may land.
    const response = await countBodies([...messages].reverse());
    expect(response.batchItemFailures).to.deep.equal([]);
    expect(await note(noteId)).to.deep.include({ version: 3, wordCount: 4, countedVersion: 3 });
    expect((await api('GET', noteId)).body).to.deep.include({ wordCount: 4 });

    // The count's own write-back reaches the stream but is never forwarded (no loop).
    const before = stats.forwarded;
    const writeBacks = await pumpStream();
    expect(writeBacks.length).to.be.greaterThan(0);
    expect(stats.forwarded).to.equal(before);
  });

  it('a note the API accepts can always be counted: 50,000 control characters (6 bytes each in JSON), forwarded and recounted', async function () {
    // Words between runs of U+0001: the note is 50,000 characters, its JSON text about 300 KB.
    const content = Array.from({ length: 500 }, (_, i) => `w${i % 10}${'\u0001'.repeat(98)}`).join('').slice(0, MAX_CONTENT_CHARACTERS);
    expect(content.length).to.equal(MAX_CONTENT_CHARACTERS);
    expect(Buffer.byteLength(JSON.stringify({ content }))).to.be.greaterThan(262_144);
    const created = await api('POST', undefined, { content });
    expect(created.statusCode).to.equal(201);
    const noteId = (created.body as { noteId: string }).noteId;

    await pumpStream();
    const messages = await receiveAll();
    expect(messages.map((m) => JSON.parse(m.Body!) as object)).to.deep.equal([{ noteId, version: 1 }]);
    expect((await countBodies(messages)).batchItemFailures).to.deep.equal([]);
    expect(await note(noteId)).to.deep.include({ version: 1, countedVersion: 1, wordCount: countWords(content) });

    // The recount of such a note goes through too.
    await api('PUT', noteId, { content: `${content.slice(0, -2)}zz` });
    await pumpStream();
    for (const message of await receiveAll()) await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle! }));
    const recount = await recountUncounted(dynamodb, sqs, { tableName: 'notes', queueUrl: queue.url, minAgeSeconds: 0, now: () => new Date(Date.now() + 1_000) });
    expect(recount).to.include({ uncounted: 1, sent: 1, failed: 0 });
    await countBodies(await receiveAll());
    expect(await note(noteId)).to.deep.include({ version: 2, countedVersion: 2 });
  });

  it('a duplicate delivery changes nothing', async function () {
    const noteId = ((await api('POST', undefined, { content: '日本語のテキストです' })).body as { noteId: string }).noteId;
    await pumpStream();
    const [message] = await receiveAll();
    await countBodies([message!]);
    const first = await note(noteId);
    await countBodies([message!]);
    expect(await note(noteId)).to.deep.equal(first);
    expect(first).to.deep.include({ countedVersion: 1 });
  });

  it('a note deleted before its count is not brought back', async function () {
    const noteId = ((await api('POST', undefined, { content: 'short lived' })).body as { noteId: string }).noteId;
    await pumpStream();
    const messages = await receiveAll();
    expect((await api('DELETE', noteId)).statusCode).to.equal(204);
    await countBodies(messages);
    expect(await note(noteId)).to.equal(undefined);
    expect((await api('GET', noteId)).statusCode).to.equal(404);
  });

  it('a poison message ends in the DLQ', async function () {
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"noteId": 42}' }));
    for (let i = 0; i < 5; i++) await pollOnce(sqs, { queueUrl: queue.url, queueArn: queue.arn, region: 'us-east-1', batchSize: 10, reportBatchItemFailures: true, invoke: wordCount });
    expect(await approximateDepth(sqs, queue.dlqUrl)).to.equal(1);
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, MaxNumberOfMessages: 10 }));
    expect(Messages.map((m) => m.Body)).to.deep.equal(['{"noteId": 42}']);
  });

  it('recount: a note whose count was lost gets one; counted and recently changed notes are left alone', async function () {
    const noteId = ((await api('POST', undefined, { content: 'never counted' })).body as { noteId: string }).noteId;
    await pumpStream();
    // The count request is lost (say, parked in the DLQ and purged).
    for (const message of await receiveAll()) await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle! }));
    const options = { tableName: 'notes', queueUrl: queue.url, minAgeSeconds: 0, now: () => new Date(Date.now() + 1_000) };
    const depthBefore = await approximateDepth(sqs, queue.url);

    expect(await recountUncounted(dynamodb, sqs, { ...options, dryRun: true })).to.include({ uncounted: 1, sent: 0 });
    expect(await recountUncounted(dynamodb, sqs, { ...options, minAgeSeconds: 300 }), 'changed too recently').to.include({ uncounted: 0, sent: 0 });
    expect(await approximateDepth(sqs, queue.url), 'a dry run sends nothing').to.equal(depthBefore);

    expect(await recountUncounted(dynamodb, sqs, options)).to.include({ uncounted: 1, sent: 1, failed: 0, calls: 1 });
    await countBodies(await receiveAll());
    expect(await note(noteId)).to.deep.include({ wordCount: 2, countedVersion: 1 });
    expect(await recountUncounted(dynamodb, sqs, options), 'nothing left to recount').to.include({ uncounted: 0 });
  });

  it('lists notes in pages that follow each other without gaps or repeats', async function () {
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const page = (await handleNotes(dynamodb, 'notes', { method: 'GET', path: '/notes', body: null, query: { limit: '2', ...(next && { next }) } })).body as { notes: { noteId: string }[]; next: string | null };
      expect(page.notes.length).to.be.at.most(2);
      seen.push(...page.notes.map((n) => n.noteId));
      next = page.next ?? undefined;
    } while (next);
    const { Count } = await dynamodb.send(new ScanCommand({ TableName: 'notes', Select: 'COUNT' }));
    expect(seen.length).to.equal(Count).and.to.be.greaterThan(2);
    expect(new Set(seen).size).to.equal(seen.length);
  });

  it('answers clear 4xx errors', async function () {
    expect((await api('POST', undefined, { content: '' })).statusCode).to.equal(400);
    expect((await handleNotes(dynamodb, 'notes', { method: 'POST', path: '/notes', body: 'nope', query: {} })).statusCode).to.equal(400);
    expect((await api('GET', 'not-a-uuid')).statusCode).to.equal(400);
    expect((await api('PUT', '00000000-0000-0000-0000-000000000000', { content: 'x' })).statusCode).to.equal(404);
    const list = (query: Record<string, string | undefined>) => handleNotes(dynamodb, 'notes', { method: 'GET', path: '/notes', body: null, query });
    for (const query of [{ limit: '0' }, { limit: '101' }, { limit: 'ten' }, { limit: '-5' }, { next: 'garbage' }, { next: Buffer.from('{"noteId":{"S":"x"}}').toString('base64url') }]) {
      expect((await list(query)).statusCode, JSON.stringify(query)).to.equal(400);
    }
  });

  after(function () {
    console.log(`      SendMessageBatch calls: ${stats.sendMessageBatchCalls} for ${stats.forwarded} forwarded records (${stats.skipped} skipped)`);
  });
});
