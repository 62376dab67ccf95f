import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { classifyRecord, failedSequenceNumbers, forwardRecords, type RecordDecision } from '../../../functions/notes/forward';

type Image = Record<string, unknown>;
const toImage = (value: Image) => marshall(value) as Record<string, AttributeValue>;
function record(eventName: DynamoDBRecord['eventName'], sequence: string, next?: Image, old?: Image): DynamoDBRecord {
  return { eventName, dynamodb: { SequenceNumber: sequence, NewImage: next && toImage(next), OldImage: old && toImage(old) } };
}
const note = (noteId: string, content: string, version: number, extra: Image = {}) => ({ noteId, content, version, ...extra });
const countRequestFor = (r: DynamoDBRecord) => {
  const decision: RecordDecision = classifyRecord(r);
  return decision.kind === 'count' ? decision.request : undefined;
};

describe('notes stream forwarding', function () {
  describe('countRequestFor (what is worth counting)', function () {
    it('forwards inserts', function () {
      expect(countRequestFor(record('INSERT', '1', note('n1', 'hello world', 1)))).to.deep.equal({ noteId: 'n1', version: 1 });
    });
    it('forwards updates that changed the content', function () {
      expect(countRequestFor(record('MODIFY', '2', note('n1', 'new', 2), note('n1', 'old', 1)))).to.deep.equal({ noteId: 'n1', version: 2 });
    });
    it('never forwards its own word-count write-back (no loop)', function () {
      const old = note('n1', 'hello world', 1);
      expect(countRequestFor(record('MODIFY', '3', { ...old, wordCount: 2, countedVersion: 1 }, old))).to.equal(undefined);
    });
    it('ignores title-only edits and removals', function () {
      expect(countRequestFor(record('MODIFY', '4', note('n1', 'same', 1, { title: 'b' }), note('n1', 'same', 1, { title: 'a' })))).to.equal(undefined);
      expect(countRequestFor(record('REMOVE', '5', undefined, note('n1', 'x', 1)))).to.equal(undefined);
    });
  });

  describe('records without the shape of a note (reported, never skipped silently)', function () {
    const malformed: [string, DynamoDBRecord, RegExp][] = [
      ['no noteId', record('INSERT', '1', { content: 'x', version: 1 }), /noteId is not a non-empty string/],
      ['content is a number', record('INSERT', '2', note('n1', 'x', 1, { content: 42 })), /content is not a string/],
      ['version is a string', record('MODIFY', '3', note('n1', 'x', 1, { version: '2' }), note('n1', 'y', 1)), /version is not a positive whole number/],
      ['version 0', record('INSERT', '4', note('n1', 'x', 0)), /version is not a positive whole number/],
      ['no NewImage', record('INSERT', '5'), /no NewImage/],
      ['unknown event', record(undefined, '6', note('n1', 'x', 1)), /unexpected eventName/],
      ['an image that is not DynamoDB JSON', { eventName: 'INSERT', dynamodb: { SequenceNumber: '7', NewImage: { noteId: { Q: 'x' } as never } } }, /./],
    ];
    for (const [name, r, reason] of malformed) {
      it(`${name}: malformed`, function () {
        const decision = classifyRecord(r);
        expect(decision.kind, JSON.stringify(decision)).to.equal('malformed');
        expect(decision.kind === 'malformed' && decision.reason).to.match(reason);
      });
    }
    it('removals and unchanged content are skips, not malformed', function () {
      expect(classifyRecord(record('REMOVE', '1', undefined, note('n1', 'x', 1)))).to.deep.equal({ kind: 'skip', reason: 'removal' });
      expect(classifyRecord(record('MODIFY', '2', note('n1', 'x', 1, { title: 'b' }), note('n1', 'x', 1)))).to.deep.equal({ kind: 'skip', reason: 'content unchanged' });
    });
  });

  describe('forwardRecords', function () {
    const sqs = mockClient(SQSClient);
    beforeEach(() => sqs.reset());

    it('sends 10 per SendMessageBatch call and skips the rest of the batch', async function () {
      sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({ Successful: input.Entries!.map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: '' })), Failed: [] }));
      const records = [
        ...Array.from({ length: 23 }, (_, i) => record('INSERT', String(i), note(`n${i}`, 'a b', 1))),
        record('REMOVE', '99', undefined, note('x', 'y', 1)),
        record('MODIFY', '100', note('n1', 'a b', 1, { wordCount: 2, countedVersion: 1 }), note('n1', 'a b', 1)),
      ];
      const result = await forwardRecords(new SQSClient({}), records, { queueUrl: 'q' });
      expect(result).to.deep.equal({ forwarded: 23, skipped: 2, calls: 3, failed: [], malformed: [] });
      expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.length)).to.deep.equal([10, 10, 3]);
    });

    it('retries only the refused entries, and reports the sequence numbers that never went through', async function () {
      let call = 0;
      sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
        call += 1;
        // Entry "1" is refused every time; entry "2" only the first time.
        const refused = input.Entries!.filter((e) => e.Id === '1' || (e.Id === '2' && call === 1));
        return {
          Successful: input.Entries!.filter((e) => !refused.includes(e)).map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: '' })),
          Failed: refused.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
        };
      });
      const records = [0, 1, 2].map((i) => record('INSERT', `seq-${i}`, note(`n${i}`, 'text', 1)));
      const result = await forwardRecords(new SQSClient({}), records, { queueUrl: 'q', maxAttempts: 3, sleep: async () => {} });
      expect(result).to.deep.include({ forwarded: 2, failed: ['seq-1'] });
      expect(failedSequenceNumbers(result)).to.deep.equal(['seq-1']);
      expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.map((e) => e.Id))).to.deep.equal([['0', '1', '2'], ['1', '2'], ['1']]);
    });
    it('forwards the good records of a batch and reports a malformed one by its sequence number', async function () {
      sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({ Successful: input.Entries!.map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: '' })), Failed: [] }));
      const records = [record('INSERT', 's1', note('n1', 'a', 1)), record('INSERT', 's2', { noteId: 'n2', version: 1 }), record('INSERT', 's3', note('n3', 'c', 1))];
      const result = await forwardRecords(new SQSClient({}), records, { queueUrl: 'q' });
      expect(result).to.deep.include({ forwarded: 2, skipped: 0, failed: [] });
      expect(result.malformed).to.deep.equal([{ sequenceNumber: 's2', eventId: undefined, eventName: 'INSERT', reason: 'NewImage is not a note: content is not a string' }]);
      expect(failedSequenceNumbers(result)).to.deep.equal(['s2']);
      expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries!.map((e) => JSON.parse(e.MessageBody!) as object)).to.deep.equal([
        { noteId: 'n1', version: 1 },
        { noteId: 'n3', version: 1 },
      ]);
    });
  });
});
