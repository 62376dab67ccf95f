import { expect } from 'chai';
import sinon from 'sinon';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { createHandler } from '../../../functions/storage-first/processor.handler';
import type { MessageHandler } from '../../../functions/storage-first/process-message';

function record(messageId: string, body: string, apiRequestId?: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '2',
      SentTimestamp: '0',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: apiRequestId ? { apiRequestId: { dataType: 'String', stringValue: apiRequestId, stringListValues: [], binaryListValues: [] } } : {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:q',
    awsRegion: 'us-east-1',
  };
}

const valid = (n: number) => JSON.stringify({ type: 'test', data: { n } });

describe('storage-first processor handler', function () {
  it('reports only the record that failed validation', async function () {
    const handle = sinon.stub<Parameters<MessageHandler>, ReturnType<MessageHandler>>().resolves();
    const event: SQSEvent = { Records: [record('a', valid(1), 'req-1'), record('b', 'not json'), record('c', valid(3))] };
    const response = await createHandler(handle)(event);
    expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: 'b' }]);
    expect(handle.callCount).to.equal(2);
    const [message, context] = handle.firstCall.args;
    expect(message).to.deep.equal({ type: 'test', data: { n: 1 } });
    expect(context).to.include({ messageId: 'a', apiRequestId: 'req-1', receiveCount: 2 });
  });

  it('reports a record whose handler throws', async function () {
    const handle = sinon.stub<Parameters<MessageHandler>, ReturnType<MessageHandler>>();
    handle.onFirstCall().rejects(new Error('downstream unavailable'));
    handle.resolves();
    const response = await createHandler(handle)({ Records: [record('a', valid(1)), record('b', valid(2))] });
    expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: 'a' }]);
  });

  it('reports every record of a batch that failed completely instead of throwing', async function () {
    const response = await createHandler(async () => {})({ Records: [record('a', '{}'), record('b', '')] });
    expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }]);
  });

  it('returns no failures for a clean batch', async function () {
    const response = await createHandler(async () => {})({ Records: [record('a', valid(1))] });
    expect(response.batchItemFailures).to.deep.equal([]);
  });
});
