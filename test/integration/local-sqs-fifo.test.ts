import { expect } from 'chai';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { pollOnce, runSqsEventSource, type SqsEventSourceOptions } from '../../local/event-sources/sqs';
import { useMoto } from '../support/moto';

const GROUP_A = ['a1', 'a2', 'a3', 'a4'];
const GROUP_B = ['b1', 'b2'];

/**
 * A FIFO consumer that fails a1 on its first delivery and, as the storer does, reports it and every
 * later message of its group; then succeeds. Records the order in which messages were done.
 */
function fifoConsumer() {
  const done: string[] = [];
  let failedOnce = false;
  const invoke = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: string[] = [];
    const failedGroups = new Set<string>();
    for (const record of event.Records) {
      const group = record.attributes.MessageGroupId ?? '';
      if (failedGroups.has(group) || (record.body === 'a1' && !failedOnce)) {
        failedOnce = true;
        failedGroups.add(group);
        failures.push(record.messageId);
      } else done.push(record.body);
    }
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
  return { done, invoke };
}

describe('local SQS event source on a moto FIFO queue', function () {
  this.timeout(60_000);
  useMoto();
  const sqs = () => new SQSClient({});
  let queue = 0;

  async function fifoQueue(): Promise<Pick<SqsEventSourceOptions, 'queueUrl' | 'queueArn'>> {
    queue += 1;
    const dlq = await sqs().send(new CreateQueueCommand({ QueueName: `order-${queue}-dlq.fifo`, Attributes: { FifoQueue: 'true' } }));
    const dlqArn = (await sqs().send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const { QueueUrl } = await sqs().send(
      new CreateQueueCommand({
        QueueName: `order-${queue}.fifo`,
        Attributes: { FifoQueue: 'true', VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) },
      }),
    );
    const queueArn = (await sqs().send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const bodies = [...GROUP_A, ...GROUP_B];
    await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body, MessageGroupId: body[0], MessageDeduplicationId: body })),
      }),
    );
    return { queueUrl: QueueUrl!, queueArn };
  }

  const until = async (condition: () => boolean, step: () => Promise<unknown>, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition() && Date.now() < deadline) await step();
  };

  it('moto alone hands out the last message of a failed group first (the gap the poller closes)', async function () {
    const consumer = fifoConsumer();
    const options = { ...(await fifoQueue()), region: 'us-east-1', batchSize: 10, reportBatchItemFailures: true, invoke: consumer.invoke };
    await until(() => consumer.done.length === 6, () => pollOnce(sqs(), options));
    expect(consumer.done.filter((b) => b.startsWith('a'))).to.not.deep.equal(GROUP_A);
  });

  it('keeps each group in order after a failure, as Lambda FIFO does, and other groups carry on', async function () {
    const consumer = fifoConsumer();
    const controller = new AbortController();
    const polling = runSqsEventSource(sqs(), { ...(await fifoQueue()), region: 'us-east-1', batchSize: 10, reportBatchItemFailures: true, invoke: consumer.invoke }, controller.signal);
    await until(
      () => consumer.done.length >= 6,
      () => new Promise((r) => setTimeout(r, 100)),
    );
    controller.abort();
    await polling;
    expect(consumer.done.filter((b) => b.startsWith('a'))).to.deep.equal(GROUP_A);
    expect(consumer.done.filter((b) => b.startsWith('b'))).to.deep.equal(GROUP_B);
    expect(consumer.done).to.have.length(6);
  });
});
