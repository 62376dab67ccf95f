import { expect } from 'chai';
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { approximateDepth as depth, redrive } from '../../scripts/lib/redrive';
import { createHandler } from '../../functions/storage-first/processor.handler';
import type { MessageHandler } from '../../functions/storage-first/process-message';
import { pollOnce } from '../../local/event-sources/sqs';
import { useMoto } from '../support/moto';

const TOTAL = 1000;
const POISON_EVERY = 20; // 5%
const MAX_RECEIVE_COUNT = 3;

async function createQueues(sqs: SQSClient, name: string) {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq`, Attributes: { MessageRetentionPeriod: '1209600' } }));
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const source = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        // Failed messages become visible again at once, so the test needs no sleeps; the redrive
        // policy (maxReceiveCount) is what moves them, as in AWS.
        VisibilityTimeout: '0',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVE_COUNT }),
      },
    }),
  );
  const sourceArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: source.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return { sourceUrl: source.QueueUrl!, sourceArn, dlqUrl: dlq.QueueUrl! };
}

async function sendAll(sqs: SQSClient, queueUrl: string, bodies: string[]) {
  const batches = [];
  for (let i = 0; i < bodies.length; i += 10) {
    batches.push(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
        }),
      ),
    );
  }
  const results = await Promise.all(batches);
  expect(results.flatMap((r) => r.Failed ?? [])).to.deep.equal([]);
}

/**
 * Counts a queue exactly: receives every message with a long visibility timeout (so none is seen
 * twice), then makes them all visible again.
 */
async function countExactly(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const messages: Message[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
    if (Messages.length === 0) empty += 1;
    messages.push(...Messages);
  }
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
      }),
    );
  }
  return messages.map((m) => m.Body ?? '');
}

/** Drives the real handler like a Lambda event source mapping until the queue is empty. */
async function processUntilEmpty(sqs: SQSClient, queue: { sourceUrl: string; sourceArn: string }, handle: MessageHandler) {
  const handler = createHandler(handle);
  const options = { queueUrl: queue.sourceUrl, queueArn: queue.sourceArn, region: 'us-east-1', batchSize: 10, reportBatchItemFailures: true, invoke: handler };
  for (let idle = 0; idle < 3; ) {
    const stats = await pollOnce(sqs, options);
    idle = stats.received === 0 ? idle + 1 : 0;
  }
}

describe('storage-first against a real SQS (moto)', function () {
  this.timeout(180_000);
  useMoto();

  it('processes 95%, parks the 5% poison in the DLQ, then redrives them after a fix', async function () {
    const sqs = new SQSClient({});
    const queue = await createQueues(sqs, 'sf-it');
    const bodies = Array.from({ length: TOTAL }, (_, n) => JSON.stringify({ id: `m-${n}`, type: n % POISON_EVERY === 0 ? 'poison' : 'order.created', data: { n } }));
    await sendAll(sqs, queue.sourceUrl, bodies);

    // The handler fails permanently on "poison" messages until it is fixed.
    let fixed = false;
    const processed = new Map<string, number>();
    const handle: MessageHandler = async (message) => {
      if (message.type === 'poison' && !fixed) throw new Error('cannot process poison yet');
      processed.set(message.id!, (processed.get(message.id!) ?? 0) + 1);
    };

    await processUntilEmpty(sqs, queue, handle);

    const inDlq = await countExactly(sqs, queue.dlqUrl);
    expect(processed.size, 'processed').to.equal(TOTAL - TOTAL / POISON_EVERY);
    expect(inDlq, 'in the DLQ').to.have.length(TOTAL / POISON_EVERY);
    expect(processed.size + inDlq.length, 'processed + DLQ').to.equal(TOTAL);
    expect([...processed.values()].every((count) => count === 1), 'each processed once').to.equal(true);
    expect(inDlq.every((body) => (JSON.parse(body) as { type: string }).type === 'poison')).to.equal(true);
    expect(await countExactly(sqs, queue.sourceUrl), 'left in the source queue').to.have.length(0);

    const result = await redrive(sqs, { sourceQueueUrl: queue.dlqUrl, destinationQueueUrl: queue.sourceUrl });
    expect(result).to.include({ moved: TOTAL / POISON_EVERY, failed: 0 });
    expect(await countExactly(sqs, queue.dlqUrl), 'DLQ after redrive').to.have.length(0);
    expect(await depth(sqs, queue.dlqUrl)).to.equal(0);

    fixed = true;
    await processUntilEmpty(sqs, queue, handle);
    expect(processed.size, 'processed after the fix and redrive').to.equal(TOTAL);
    expect([...processed.values()].every((count) => count === 1), 'each processed once').to.equal(true);
    expect(await depth(sqs, queue.sourceUrl)).to.equal(0);
    expect(await depth(sqs, queue.dlqUrl)).to.equal(0);
  });

  it('parks a message that is not valid JSON in the DLQ with its body intact', async function () {
    const sqs = new SQSClient({});
    const queue = await createQueues(sqs, 'sf-it-invalid');
    await sendAll(sqs, queue.sourceUrl, ['not json', JSON.stringify({ type: 'ok', data: {} })]);
    const seen: string[] = [];
    await processUntilEmpty(sqs, queue, async (message) => void seen.push(message.type));
    expect(seen).to.deep.equal(['ok']);
    expect(await countExactly(sqs, queue.dlqUrl)).to.deep.equal(['not json']);
  });
});
