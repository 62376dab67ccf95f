import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { FifoGroupOrder } from '../../../local/event-sources/fifo-order';
import { pollOnce } from '../../../local/event-sources/sqs';

const message = (group: string, sequence: number, receives = 1): Message => ({
  MessageId: `${group}${sequence}`,
  ReceiptHandle: `r-${group}${sequence}-${receives}`,
  Body: `${group}${sequence}`,
  Attributes: { MessageGroupId: group, ApproximateReceiveCount: String(receives) },
});
const ids = (messages: Message[]) => messages.map((m) => m.MessageId);

describe('local SQS event source: FIFO group order', function () {
  describe('FifoGroupOrder', function () {
    it('hands a group out in the order its messages were first received, in the places the group had in the receive', function () {
      const order = new FifoGroupOrder({ headTimeoutMs: 60_000 });
      expect(ids(order.admit([message('a', 1), message('a', 2), message('a', 3)]).deliver)).to.deep.equal(['a1', 'a2', 'a3']);
      // a function error: a1 stays in flight, a2 and a3 are released; should they still come back reordered
      expect(ids(order.settle([message('a', 1), message('a', 2), message('a', 3)], [message('a', 1), message('a', 2), message('a', 3)]))).to.deep.equal(['a2', 'a3']);
      const { deliver, release } = order.admit([message('a', 3, 2), message('b', 1), message('a', 1, 2), message('a', 2, 2)]);
      expect(ids(deliver)).to.deep.equal(['a1', 'b1', 'a2', 'a3']);
      expect(release).to.deep.equal([]);
    });

    it('keeps the earliest failed message of a group in flight and returns the later ones to release now', function () {
      const order = new FifoGroupOrder({ headTimeoutMs: 60_000 });
      const batch = [message('a', 1), message('a', 2), message('a', 3), message('b', 1)];
      const later = order.settle(batch, [message('a', 3), message('a', 2)]);
      expect(ids(later)).to.deep.equal(['a3']);
      expect(order.waiting()).to.deep.equal({ a: 'a2' });
    });

    it('does not hand out a group whose head is still away; hands it out once the head is back', function () {
      let now = 0;
      const order = new FifoGroupOrder({ headTimeoutMs: 60_000, now: () => now });
      order.settle([message('a', 1), message('a', 2)], [message('a', 1), message('a', 2)]);
      // moto's reordering: the last message of the group comes back first
      const early = order.admit([message('a', 2, 2), message('b', 1)]);
      expect(ids(early.deliver)).to.deep.equal(['b1']);
      expect(ids(early.release)).to.deep.equal(['a2']);
      now = 1_000;
      const back = order.admit([message('a', 2, 3), message('a', 1, 2)]);
      expect(ids(back.deliver)).to.deep.equal(['a1', 'a2']);
      expect(order.waiting()).to.deep.equal({});
    });

    it('clears the head when its group succeeds', function () {
      const order = new FifoGroupOrder({ headTimeoutMs: 60_000 });
      order.settle([message('a', 1)], [message('a', 1)]);
      order.admit([message('a', 1, 2)]);
      order.settle([message('a', 1, 2)], []);
      expect(order.waiting()).to.deep.equal({});
      expect(ids(order.admit([message('a', 2)]).deliver)).to.deep.equal(['a2']);
    });

    it('does not wait for a head at maxReceiveCount (the queue dead-letters it, the group carries on)', function () {
      const order = new FifoGroupOrder({ headTimeoutMs: 60_000, maxReceiveCount: 3 });
      const later = order.settle([message('a', 1, 3), message('a', 2, 3)], [message('a', 1, 3), message('a', 2, 3)]);
      expect(ids(later)).to.deep.equal(['a2']);
      expect(order.waiting()).to.deep.equal({});
      expect(ids(order.admit([message('a', 2, 4)]).deliver)).to.deep.equal(['a2']);
    });

    it('stops waiting for a head that never came back after headTimeoutMs', function () {
      let now = 0;
      const order = new FifoGroupOrder({ headTimeoutMs: 5_000, now: () => now });
      order.settle([message('a', 1)], [message('a', 1)]);
      expect(ids(order.admit([message('a', 2)]).release)).to.deep.equal(['a2']);
      now = 5_001;
      expect(ids(order.admit([message('a', 2)]).deliver)).to.deep.equal(['a2']);
    });
  });

  describe('pollOnce on a FIFO queue', function () {
    const sqs = mockClient(SQSClient);
    const options = { queueUrl: 'http://sqs/123/q.fifo', queueArn: 'arn:aws:sqs:us-east-1:123:q.fifo', region: 'us-east-1', batchSize: 10, reportBatchItemFailures: true };
    beforeEach(function () {
      sqs.reset();
      sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
      sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    });
    after(() => sqs.restore());

    it('after a failure releases the later messages of the group at once and holds the group until its head is back', async function () {
      const order = new FifoGroupOrder({ headTimeoutMs: 60_000 });
      const seen: string[][] = [];
      const invoke = async (event: SQSEvent) => {
        seen.push(event.Records.map((r) => r.messageId));
        // the storer's FIFO answer: a1 failed, so a1 and the rest of group a
        return seen.length === 1 ? { batchItemFailures: [{ itemIdentifier: 'a1' }, { itemIdentifier: 'a2' }] } : { batchItemFailures: [] };
      };
      sqs
        .on(ReceiveMessageCommand)
        .resolvesOnce({ Messages: [message('a', 1), message('a', 2), message('b', 1)] })
        // moto's reordering: the later message of group a comes back alone, before its head
        .resolvesOnce({ Messages: [message('a', 2, 2)] })
        .resolvesOnce({ Messages: [message('a', 2, 3), message('a', 1, 2)] })
        .resolves({ Messages: [] });
      expect(await pollOnce(new SQSClient({}), { ...options, invoke }, undefined, order)).to.deep.equal({ received: 3, deleted: 1, failed: 2 });
      expect(sqs.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input.Entries?.map((e) => e.ReceiptHandle)).to.deep.equal(['r-b1-1']);
      const released = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input.Entries);
      expect(released).to.deep.equal([[{ Id: '0', ReceiptHandle: 'r-a2-1', VisibilityTimeout: 0 }]]);

      expect(await pollOnce(new SQSClient({}), { ...options, invoke }, undefined, order)).to.deep.equal({ received: 0, deleted: 0, failed: 0 });
      expect(seen).to.have.length(1);

      expect(await pollOnce(new SQSClient({}), { ...options, invoke }, undefined, order)).to.deep.equal({ received: 2, deleted: 2, failed: 0 });
      expect(seen).to.deep.equal([['a1', 'a2', 'b1'], ['a1', 'a2']]);
    });
  });
});
