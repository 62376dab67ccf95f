import { expect } from 'chai';
import sinon from 'sinon';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { createHandler, failureReasons } from '../../../functions/storage-first/processor.handler';
import { logMessage, type MessageHandler } from '../../../functions/storage-first/process-message';

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

  it('hands the handler "__proto__" and "constructor" keys inside data as sent', async function () {
    const body = '{"type":"t","data":{"__proto__":{"x":1},"constructor":1}}';
    const handle = sinon.stub<Parameters<MessageHandler>, ReturnType<MessageHandler>>().resolves();
    const response = await createHandler(handle)({ Records: [record('a', body)] });
    expect(response.batchItemFailures).to.deep.equal([]);
    expect(JSON.stringify(handle.firstCall.args[0])).to.equal(body);
  });

  it('logs the message with every key (the default handler)', async function () {
    const body = '{"type":"t","data":{"__proto__":{"x":1},"constructor":1}}';
    const logger = new Logger({ serviceName: 'test' });
    logger.setLogLevel('INFO');
    const lines: string[] = [];
    const write = sinon.stub(process.stdout, 'write').callsFake((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await logMessage(JSON.parse(body) as Parameters<MessageHandler>[0], { messageId: 'a', receiveCount: 1, logger });
    } finally {
      write.restore();
    }
    const entry = lines.map((l) => JSON.parse(l) as { message: string; storedMessage?: unknown }).find((e) => e.message === 'message processed');
    expect(JSON.stringify(entry?.storedMessage)).to.equal(body);
  });

  it('fails only the record nested thousands of levels deep, with the reason, and processes the rest', async function () {
    const deep = `{"type":"t","data":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
    const handle = sinon.stub<Parameters<MessageHandler>, ReturnType<MessageHandler>>().resolves();
    const response = await createHandler(handle)({ Records: [record('a', valid(1)), record('deep', deep), record('c', valid(3))] });
    expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: 'deep' }]);
    expect(handle.callCount).to.equal(2);
  });

  it('fails only the record whose handler overflows the stack or throws a non-Error', async function () {
    const overflow = (n: number): number => overflow(n + 1) + 1;
    const handle: MessageHandler = async (message) => {
      if (message.type === 'overflow') overflow(0);
      if (message.type === 'odd') throw 'not an Error';
    };
    const records = [record('a', valid(1)), record('o', '{"type":"overflow","data":{}}'), record('x', '{"type":"odd","data":{}}')];
    const response = await createHandler(handle)({ Records: records });
    expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: 'o' }, { itemIdentifier: 'x' }]);
  });

  it('explains each kind of failure in words', function () {
    expect(failureReasons(new RangeError('Maximum call stack size exceeded'))[0]).to.match(/ran out of stack.*nested too deeply/);
    expect(failureReasons(new TypeError('boom'))).to.deep.equal(['TypeError: boom']);
    expect(failureReasons('text')).to.deep.equal(['non-Error thrown: "text"']);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(failureReasons(circular)).to.deep.equal(['non-Error thrown that cannot be shown']);
  });
});
