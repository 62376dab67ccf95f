import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { countNote } from '../../../functions/notes/count-note';
import { countWords } from '../../../functions/notes/word-count';

describe('countNote (the counter reads the text of the version it was asked for)', function () {
  const dynamodb = mockClient(DynamoDBClient);
  const stored = (item: Record<string, unknown> | undefined) => dynamodb.on(GetItemCommand).resolves({ Item: item && marshall(item) });
  beforeEach(function () {
    dynamodb.reset();
    dynamodb.on(UpdateItemCommand).resolves({});
  });

  it('reads the note consistently and writes the count of that version, conditionally', async function () {
    const content = 'one two three';
    stored({ content, version: 2, countedVersion: 1 });
    const result = await countNote(new DynamoDBClient({}), 'notes', { noteId: 'n1', version: 2 });
    expect(result).to.deep.equal({ outcome: 'counted', words: countWords(content) });
    expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input).to.deep.include({ TableName: 'notes', ConsistentRead: true });
    const update = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(update.ConditionExpression).to.equal('version = :version AND (attribute_not_exists(countedVersion) OR countedVersion <> :version)');
    expect(update.ExpressionAttributeValues).to.deep.equal(marshall({ ':words': countWords(content), ':version': 2 }));
  });

  for (const [name, item, reason] of [
    ['a deleted note', undefined, /deleted/],
    ['a note at a newer version', { content: 'x', version: 3 }, /version 3/],
    ['a version already counted', { content: 'x', version: 2, countedVersion: 2, wordCount: 1 }, /already counted/],
  ] as const) {
    it(`${name}: nothing written`, async function () {
      stored(item);
      const result = await countNote(new DynamoDBClient({}), 'notes', { noteId: 'n1', version: 2 });
      expect(result.outcome).to.equal('stale-or-duplicate');
      expect(result.reason).to.match(reason);
      expect(dynamodb.commandCalls(UpdateItemCommand)).to.have.length(0);
    });
  }

  it('a change between the read and the write is stale, not an error', async function () {
    stored({ content: 'x', version: 2 });
    dynamodb.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'changed', $metadata: {} }));
    expect(await countNote(new DynamoDBClient({}), 'notes', { noteId: 'n1', version: 2 })).to.deep.include({ outcome: 'stale-or-duplicate' });
  });

  it('a note without text content is an error (the message is retried, then parked in the DLQ)', async function () {
    stored({ version: 2 });
    let error: unknown;
    await countNote(new DynamoDBClient({}), 'notes', { noteId: 'n1', version: 2 }).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/has no text content/);
  });
});

describe('parseCountRequest', function () {
  before(function () {
    process.env.TABLE_NAME ??= 'notes';
  });
  it('takes {noteId, version}; a request from before (with content) is accepted and its content ignored', async function () {
    const { parseCountRequest } = await import('../../../functions/notes/word-count.handler');
    expect(parseCountRequest('{"noteId":"n1","version":2}')).to.deep.equal({ noteId: 'n1', version: 2 });
    expect(parseCountRequest('{"noteId":"n1","version":2,"content":"old text"}')).to.deep.equal({ noteId: 'n1', version: 2 });
    expect(() => parseCountRequest('{"noteId":"n1","version":0}')).to.throw();
    expect(() => parseCountRequest('{"noteId":"n1","version":1,"extra":true}')).to.throw();
  });
});
