import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { redrive } from '../../../functions/lib/redrive';

const DLQ = 'http://sqs/123/q-dlq';
const SOURCE = 'http://sqs/123/q';

describe('redrive', function () {
  const sqs = mockClient(SQSClient);
  beforeEach(function () {
    sqs.reset();
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '0' } });
  });

  it('moves every message and deletes only after a confirmed send', async function () {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'm1', ReceiptHandle: 'r1', Body: 'one', MessageAttributes: { apiRequestId: { DataType: 'String', StringValue: 'q1' } } },
          { MessageId: 'm2', ReceiptHandle: 'r2', Body: 'two' },
        ],
      })
      .resolves({ Messages: [] });
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'n1', MD5OfMessageBody: '' }, { Id: '1', MessageId: 'n2', MD5OfMessageBody: '' }], Failed: [] });
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }, { Id: '1' }], Failed: [] });

    const result = await redrive(new SQSClient({}), { sourceQueueUrl: DLQ, destinationQueueUrl: SOURCE });

    expect(result).to.deep.equal({ dryRun: false, approximateBefore: 3, moved: 2, failed: 0 });
    const send = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input;
    expect(send.QueueUrl).to.equal(SOURCE);
    expect(send.Entries?.[0]).to.deep.include({ MessageBody: 'one', MessageAttributes: { apiRequestId: { DataType: 'String', StringValue: 'q1' } } });
    const deleted = sqs.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input;
    expect(deleted.Entries?.map((e) => e.ReceiptHandle)).to.deep.equal(['r1', 'r2']);
  });

  it('leaves a message whose send failed in the DLQ and counts it', async function () {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'r1', Body: 'one' }, { MessageId: 'm2', ReceiptHandle: 'r2', Body: 'two' }] })
      .resolves({ Messages: [] });
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '1', MessageId: 'n2', MD5OfMessageBody: '' }],
      Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }],
    });
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }], Failed: [] });

    const result = await redrive(new SQSClient({}), { sourceQueueUrl: DLQ, destinationQueueUrl: SOURCE });

    expect(result).to.include({ moved: 1, failed: 1 });
    const deleted = sqs.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input;
    expect(deleted.Entries?.map((e) => e.ReceiptHandle)).to.deep.equal(['r2']);
  });

  it('gives FIFO messages their group and a deduplication id', async function () {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'r1', Body: 'one', Attributes: { MessageGroupId: 'g1' } }] })
      .resolves({ Messages: [] });
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'n1', MD5OfMessageBody: '' }], Failed: [] });
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }], Failed: [] });

    await redrive(new SQSClient({}), { sourceQueueUrl: `${DLQ}.fifo`, destinationQueueUrl: `${SOURCE}.fifo` });

    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries?.[0]).to.include({ MessageGroupId: 'g1', MessageDeduplicationId: 'm1' });
  });

  it('only counts on a dry run', async function () {
    const result = await redrive(new SQSClient({}), { sourceQueueUrl: DLQ, destinationQueueUrl: SOURCE, dryRun: true });
    expect(result).to.deep.equal({ dryRun: true, approximateBefore: 3, moved: 0, failed: 0 });
    expect(sqs.commandCalls(ReceiveMessageCommand)).to.have.length(0);
    expect(sqs.commandCalls(SendMessageBatchCommand)).to.have.length(0);
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).to.have.length(0);
  });

  it('stops at --max', async function () {
    sqs.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages: number }) => ({
      Messages: Array.from({ length: input.MaxNumberOfMessages }, (_, i) => ({ MessageId: `m${i}`, ReceiptHandle: `r${i}`, Body: 'b' })),
    }));
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: 'n', MD5OfMessageBody: '' })),
      Failed: [],
    }));
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const result = await redrive(new SQSClient({}), { sourceQueueUrl: DLQ, destinationQueueUrl: SOURCE, maxMessages: 13 });
    expect(result.moved).to.equal(13);
  });
});
