import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

const image = (value: Record<string, unknown>) => marshall(value) as Record<string, AttributeValue>;
const insert = (sequence: string, next: Record<string, unknown>): DynamoDBRecord => ({ eventID: `e-${sequence}`, eventName: 'INSERT', dynamodb: { SequenceNumber: sequence, NewImage: image(next) } });

describe('notes forwarder handler: a record without the shape of a note', function () {
  const sqs = mockClient(SQSClient);
  const event: DynamoDBStreamEvent = {
    Records: [
      insert('100', { noteId: 'n1', content: 'fine', version: 1 }),
      // A note written by something other than the API: no content at all.
      insert('200', { noteId: 'n2', version: 1, body: 'text under another name' }),
      insert('300', { noteId: 'n3', content: 'also fine', version: 1 }),
    ],
  };

  before(function () {
    process.env.QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/notes-count';
  });
  beforeEach(function () {
    sqs.reset();
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({ Successful: input.Entries!.map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: '' })), Failed: [] }));
  });

  it('is logged as a warning, counted in a metric and reported as a batch item failure; the others are forwarded', async function () {
    const { forwarder } = await import('../../../functions/notes/forwarder.handler');
    const warnings: { message: string; extra: unknown }[] = [];
    const metrics: { name: string; value: number }[] = [];
    let published = 0;
    const handle = forwarder({
      sqs: new SQSClient({}),
      queueUrl: process.env.QUEUE_URL!,
      logger: { info: () => {}, error: () => {}, warn: (message: unknown, extra?: unknown) => void warnings.push({ message: String(message), extra }) } as never,
      metrics: { addMetric: (name: string, _unit: unknown, value: number) => void metrics.push({ name, value }), publishStoredMetrics: () => void (published += 1) } as never,
    });

    const response = await handle(event);

    expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: '200' }]);
    expect(warnings).to.have.length(1);
    expect(warnings[0]!.message).to.match(/does not have the shape of a note/);
    expect(warnings[0]!.extra).to.deep.include({ sequenceNumber: '200', eventId: 'e-200', reason: 'NewImage is not a note: content is not a string' });
    expect(metrics).to.deep.equal([{ name: 'MalformedStreamRecords', value: 1 }]);
    expect(published).to.equal(1);
    expect(sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries!.map((e) => e.MessageBody))).to.deep.equal([
      JSON.stringify({ noteId: 'n1', version: 1 }),
      JSON.stringify({ noteId: 'n3', version: 1 }),
    ]);
  });

  it('the deployed handler publishes the metric in EMF (namespace ReliableIngestion/Notes)', async function () {
    const { handler } = await import('../../../functions/notes/forwarder.handler');
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0) as typeof process.stdout.write;
    let response;
    try {
      response = await handler(event);
    } finally {
      process.stdout.write = write;
    }
    expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: '200' }]);
    const emf = lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string }[] } });
    expect(emf).to.have.length(1);
    expect(emf[0]!._aws.CloudWatchMetrics[0]!.Namespace).to.equal('ReliableIngestion/Notes');
    expect(emf[0]!.MalformedStreamRecords).to.equal(1);
  });
});
