import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { messagesToDelete, pollOnce, toSqsRecord } from '../../../local/event-sources/sqs';

const options = { queueUrl: 'http://sqs/123/q', queueArn: 'arn:aws:sqs:us-east-1:123:q', region: 'us-east-1', batchSize: 10 };
const records = ['a', 'b', 'c'].map((id) => toSqsRecord({ MessageId: id, ReceiptHandle: `r-${id}`, Body: id }, options));

describe('local SQS event source', function () {
  describe('messagesToDelete (what Lambda deletes after an invocation)', function () {
    it('deletes all on success without a response', function () {
      expect(messagesToDelete(records, { ok: true, response: undefined }, true)).to.have.length(3);
    });
    it('keeps the reported failures', function () {
      const kept = messagesToDelete(records, { ok: true, response: { batchItemFailures: [{ itemIdentifier: 'b' }] } }, true);
      expect(kept.map((r) => r.messageId)).to.deep.equal(['a', 'c']);
    });
    it('deletes nothing when the function failed', function () {
      expect(messagesToDelete(records, { ok: false }, true)).to.deep.equal([]);
    });
    it('deletes nothing when a reported identifier is empty or unknown', function () {
      expect(messagesToDelete(records, { ok: true, response: { batchItemFailures: [{ itemIdentifier: '' }] } }, true)).to.deep.equal([]);
      expect(messagesToDelete(records, { ok: true, response: { batchItemFailures: [{ itemIdentifier: 'zzz' }] } }, true)).to.deep.equal([]);
    });
    it('ignores the response without ReportBatchItemFailures', function () {
      expect(messagesToDelete(records, { ok: true, response: { batchItemFailures: [{ itemIdentifier: 'b' }] } }, false)).to.have.length(3);
    });
  });

  describe('pollOnce', function () {
    const sqs = mockClient(SQSClient);
    beforeEach(function () {
      sqs.reset();
      sqs.on(ReceiveMessageCommand).resolvesOnce({
        Messages: [
          { MessageId: 'a', ReceiptHandle: 'r-a', Body: '1', Attributes: { ApproximateReceiveCount: '3' }, MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
          { MessageId: 'b', ReceiptHandle: 'r-b', Body: '2' },
        ],
      }).resolves({ Messages: [] });
      sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    });

    it('builds a Lambda SQS event and deletes only the successes', async function () {
      let seen: SQSEvent | undefined;
      const stats = await pollOnce(new SQSClient({}), {
        ...options,
        reportBatchItemFailures: true,
        invoke: async (event) => {
          seen = event;
          return { batchItemFailures: [{ itemIdentifier: 'b' }] };
        },
      });
      expect(stats).to.deep.equal({ received: 2, deleted: 1, failed: 1 });
      expect(seen?.Records[0]).to.deep.include({ messageId: 'a', body: '1', eventSource: 'aws:sqs', eventSourceARN: options.queueArn });
      expect(seen?.Records[0]?.attributes.ApproximateReceiveCount).to.equal('3');
      expect(seen?.Records[0]?.messageAttributes.k?.stringValue).to.equal('v');
      const deleted = sqs.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input;
      expect(deleted.Entries?.map((e) => e.ReceiptHandle)).to.deep.equal(['r-a']);
    });

    it('deletes nothing when the function throws', async function () {
      const stats = await pollOnce(new SQSClient({}), {
        ...options,
        reportBatchItemFailures: true,
        invoke: async () => {
          throw new Error('boom');
        },
      });
      expect(stats).to.deep.equal({ received: 2, deleted: 0, failed: 2 });
      expect(sqs.commandCalls(DeleteMessageBatchCommand)).to.have.length(0);
    });
  });
});
