import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  type GetQueueAttributesCommandInput,
  type Message,
  type SendMessageBatchCommandInput,
} from '@aws-sdk/client-sqs';
import { messageBytes } from '../../../functions/lib/sqs-batches';
import { progressLine, rate } from '../../../scripts/lib/progress';
import { queueMaxMessageBytes, redrive, type RedriveOptions, type RedriveProgress } from '../../../scripts/lib/redrive';

const DLQ = 'http://sqs/123/q-dlq';
const SOURCE = 'http://sqs/123/q';

/** SQS's own refusal of a request over 1 MiB: the whole call fails. */
class BatchRequestTooLong extends Error {
  override name = 'AWS.SimpleQueueService.BatchRequestTooLong';
}

describe('redrive', function () {
  const sqs = mockClient(SQSClient);
  // What GetQueueAttributes answers for the DLQ's depth, before and after the run.
  let depths: { visible: number; inFlight: number }[];
  let maxMessageSize: string | undefined;

  beforeEach(function () {
    sqs.reset();
    depths = [{ visible: 3, inFlight: 0 }, { visible: 0, inFlight: 0 }];
    maxMessageSize = '262144';
    sqs.on(GetQueueAttributesCommand).callsFake((input: GetQueueAttributesCommandInput) => {
      if (input.AttributeNames?.includes('MaximumMessageSize')) return { Attributes: maxMessageSize === undefined ? {} : { MaximumMessageSize: maxMessageSize } };
      const depth = depths.length > 1 ? depths.shift()! : depths[0]!;
      return { Attributes: { ApproximateNumberOfMessages: String(depth.visible), ApproximateNumberOfMessagesNotVisible: String(depth.inFlight) } };
    });
    sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({ Successful: input.Entries.map((e) => ({ Id: e.Id })), Failed: [] }));
    sqs.on(DeleteMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({ Successful: input.Entries.map((e) => ({ Id: e.Id })), Failed: [] }));
  });

  const run = (options: Partial<RedriveOptions> = {}) =>
    redrive(new SQSClient({}), { sourceQueueUrl: DLQ, destinationQueueUrl: SOURCE, sleep: async () => {}, ...options });
  const receives = (...batches: Message[][]) => {
    let stub = sqs.on(ReceiveMessageCommand);
    for (const Messages of batches) stub = stub.resolvesOnce({ Messages });
    stub.resolves({ Messages: [] });
  };
  /** A SendMessageBatch that behaves like SQS: refuses a request over 1 MiB or 10 entries, else accepts every entry. */
  const sqsLikeSend = () =>
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      const bytes = input.Entries!.reduce((sum, e) => sum + messageBytes(e), 0);
      if (bytes > 1_048_576 || input.Entries!.length > 10) throw new BatchRequestTooLong(`Batch requests cannot be longer than 1048576 bytes. You have sent ${bytes} bytes.`);
      return { Successful: input.Entries!.map((e) => ({ Id: e.Id, MessageId: `n-${e.Id}`, MD5OfMessageBody: '' })), Failed: [] };
    });
  const sentBodies = () => sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.map((e) => e.MessageBody));
  const released = () => sqs.commandCalls(ChangeMessageVisibilityBatchCommand).flatMap((c) => c.args[0].input.Entries!.map((e) => ({ handle: e.ReceiptHandle, timeout: e.VisibilityTimeout })));

  it("queueMaxMessageBytes reads the queue's MaximumMessageSize, and falls back to SQS's default of 1 MiB", async function () {
    expect(await queueMaxMessageBytes(new SQSClient({}), SOURCE)).to.equal(262_144);
    maxMessageSize = undefined;
    expect(await queueMaxMessageBytes(new SQSClient({}), SOURCE)).to.equal(1_048_576);
  });

  it('moves every message and deletes only after a confirmed send', async function () {
    receives([
      { MessageId: 'm1', ReceiptHandle: 'r1', Body: 'one', MessageAttributes: { apiRequestId: { DataType: 'String', StringValue: 'q1' } } },
      { MessageId: 'm2', ReceiptHandle: 'r2', Body: 'two' },
    ]);
    sqsLikeSend();

    const result = await run();

    expect(result).to.deep.include({ dryRun: false, approximateBefore: 3, moved: 2, failed: 0, released: 0, remaining: 0, complete: true });
    const send = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input;
    expect(send.QueueUrl).to.equal(SOURCE);
    expect(send.Entries?.[0]).to.deep.include({ MessageBody: 'one', MessageAttributes: { apiRequestId: { DataType: 'String', StringValue: 'q1' } } });
    const deleted = sqs.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input;
    expect(deleted.Entries?.map((e) => e.ReceiptHandle)).to.deep.equal(['r1', 'r2']);
  });

  it('moves five 250 KB messages in requests of at most 1 MiB (the old code sent one request of five and SQS refused it)', async function () {
    const body = (i: number) => `${i}`.padEnd(250_000, 'x');
    receives(Array.from({ length: 5 }, (_, i) => ({ MessageId: `m${i}`, ReceiptHandle: `r${i}`, Body: body(i) })));
    sqsLikeSend();
    depths = [{ visible: 5, inFlight: 0 }, { visible: 0, inFlight: 0 }];

    const result = await run();

    expect(result).to.deep.include({ moved: 5, failed: 0, remaining: 0, complete: true });
    expect(sentBodies().map((bodies) => bodies.length)).to.deep.equal([4, 1]);
    expect(sentBodies().flat()).to.deep.equal([0, 1, 2, 3, 4].map(body));
  });

  it('leaves a message whose send failed in the DLQ, counts it, and makes it visible again at once', async function () {
    receives([{ MessageId: 'm1', ReceiptHandle: 'r1', Body: 'one' }, { MessageId: 'm2', ReceiptHandle: 'r2', Body: 'two' }]);
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '1', MessageId: 'n2', MD5OfMessageBody: '' }],
      Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }],
    });
    depths = [{ visible: 2, inFlight: 0 }, { visible: 1, inFlight: 0 }];

    const result = await run();

    expect(result).to.deep.include({ moved: 1, failed: 1, released: 1, remaining: 1, complete: false });
    const deleted = sqs.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input;
    expect(deleted.Entries?.map((e) => e.ReceiptHandle)).to.deep.equal(['r2']);
    expect(released()).to.deep.equal([{ handle: 'r1', timeout: 0 }]);
  });

  it("never sends a message larger than the destination's MaximumMessageSize: it stays, is counted and released", async function () {
    const lines: string[] = [];
    receives([{ MessageId: 'big', ReceiptHandle: 'r-big', Body: 'x'.repeat(262_145) }, { MessageId: 'ok', ReceiptHandle: 'r-ok', Body: 'fine' }]);
    sqsLikeSend();
    depths = [{ visible: 2, inFlight: 0 }, { visible: 1, inFlight: 0 }];

    const result = await run({ log: (line) => lines.push(line) });

    expect(result).to.deep.include({ moved: 1, failed: 1, released: 1, complete: false });
    expect(sentBodies()).to.deep.equal([['fine']]);
    expect(released()).to.deep.equal([{ handle: 'r-big', timeout: 0 }]);
    expect(lines.join('\n')).to.include('message big is 262145 bytes, over the destination\'s MaximumMessageSize of 262144 bytes');
  });

  it('a request SQS refuses whole (throttling, KMS) fails its messages, which are released; three in a row stop the run', async function () {
    const batch = (n: number) => Array.from({ length: 10 }, (_, i) => ({ MessageId: `m${n}-${i}`, ReceiptHandle: `r${n}-${i}`, Body: 'b' }));
    receives(batch(1), batch(2), batch(3), batch(4));
    sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KmsDisabled' }));
    depths = [{ visible: 40, inFlight: 0 }, { visible: 40, inFlight: 0 }];

    const result = await run();

    expect(result).to.deep.include({ moved: 0, failed: 30, released: 30, stoppedBy: 'errors', remaining: 40, complete: false });
    expect(sqs.commandCalls(SendMessageBatchCommand)).to.have.length(3);
    expect(sqs.commandCalls(ReceiveMessageCommand)).to.have.length(3);
  });

  it('finding nothing to receive while messages are in flight is not a success (a rerun within the visibility timeout)', async function () {
    receives();
    depths = [{ visible: 0, inFlight: 5 }];

    const result = await run();

    expect(result).to.deep.include({ moved: 0, failed: 0, remaining: 5, after: { visible: 0, inFlight: 5 }, complete: false });
    expect(sqs.commandCalls(SendMessageBatchCommand)).to.have.length(0);
  });

  it('re-reads the depth while SQS still counts messages it moved (the counts lag behind deletes)', async function () {
    receives([{ MessageId: 'm1', ReceiptHandle: 'r1', Body: 'one' }]);
    sqsLikeSend();
    depths = [{ visible: 1, inFlight: 0 }, { visible: 0, inFlight: 1 }, { visible: 0, inFlight: 0 }];
    const waits: number[] = [];

    const result = await run({ settle: { attempts: 3, delayMs: 50 }, sleep: async (ms) => void waits.push(ms) });

    expect(result).to.deep.include({ moved: 1, remaining: 0, complete: true });
    expect(waits).to.deep.equal([50]);
  });

  it('a message received twice in one long run (its visibility ended) is not sent twice and is released with its latest handle', async function () {
    receives([{ MessageId: 'bad', ReceiptHandle: 'r-first', Body: 'x' }], [{ MessageId: 'bad', ReceiptHandle: 'r-second', Body: 'x' }]);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    depths = [{ visible: 1, inFlight: 0 }, { visible: 1, inFlight: 0 }];

    const result = await run();

    expect(result).to.deep.include({ failed: 1, released: 1 });
    expect(sqs.commandCalls(SendMessageBatchCommand)).to.have.length(1);
    expect(released()).to.deep.equal([{ handle: 'r-second', timeout: 0 }]);
  });

  it('gives FIFO messages their group and a deduplication id', async function () {
    receives([{ MessageId: 'm1', ReceiptHandle: 'r1', Body: 'one', Attributes: { MessageGroupId: 'g1' } }]);
    sqsLikeSend();

    await redrive(new SQSClient({}), { sourceQueueUrl: `${DLQ}.fifo`, destinationQueueUrl: `${SOURCE}.fifo`, sleep: async () => {} });

    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries?.[0]).to.include({ MessageGroupId: 'g1', MessageDeduplicationId: 'm1' });
  });

  it('only counts on a dry run', async function () {
    depths = [{ visible: 2, inFlight: 1 }];
    const result = await run({ dryRun: true });
    expect(result).to.deep.include({ dryRun: true, approximateBefore: 3, before: { visible: 2, inFlight: 1 }, moved: 0, failed: 0 });
    expect(sqs.commandCalls(ReceiveMessageCommand)).to.have.length(0);
    expect(sqs.commandCalls(SendMessageBatchCommand)).to.have.length(0);
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).to.have.length(0);
  });

  it('stops at --max, reports progress after every receive, and counts reaching --max as complete', async function () {
    sqs.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages: number }) => ({
      Messages: Array.from({ length: input.MaxNumberOfMessages }, () => {
        const id = Math.random().toString(36).slice(2);
        return { MessageId: id, ReceiptHandle: `r-${id}`, Body: 'b' };
      }),
    }));
    sqsLikeSend();
    depths = [{ visible: 100, inFlight: 0 }, { visible: 87, inFlight: 0 }];
    const progress: RedriveProgress[] = [];
    let clock = 0;
    const result = await run({ maxMessages: 13, onProgress: (p) => progress.push(p), now: () => (clock += 100) });
    expect(result).to.deep.include({ moved: 13, failed: 0, stoppedBy: 'max', remaining: 87, complete: true });
    expect(progress.map((p) => p.moved)).to.deep.equal([10, 13]);
    expect(progress[1]!.elapsedMs).to.be.greaterThan(0);
  });

  it('stops when aborted (Ctrl-C), after dealing with the messages in hand', async function () {
    const abort = new AbortController();
    sqs.on(ReceiveMessageCommand).callsFake(() => {
      abort.abort();
      return { Messages: [{ MessageId: 'm1', ReceiptHandle: 'r1', Body: 'one' }] };
    });
    sqsLikeSend();
    depths = [{ visible: 50, inFlight: 0 }, { visible: 49, inFlight: 0 }];
    const result = await run({ signal: abort.signal });
    expect(result).to.deep.include({ moved: 1, stoppedBy: 'aborted', complete: false });
    expect(sqs.commandCalls(ReceiveMessageCommand)).to.have.length(1);
  });
});

describe('redrive progress line (scripts/lib/progress.ts)', function () {
  const stream = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, isTTY, write: (text: string) => written.push(text) > 0 };
  };

  it('rewrites one line in place on a terminal, at most once per interval, and ends it', function () {
    const tty = stream(true);
    let clock = 0;
    const line = progressLine(tty, {}, () => clock, 200);
    line.update('moved 10');
    clock = 50;
    line.update('moved 20'); // too soon: kept for later
    clock = 300;
    line.update('moved 30');
    clock = 350;
    line.update('moved 40');
    line.done();
    expect(tty.written).to.deep.equal(['\rmoved 10\x1b[K', '\rmoved 30\x1b[K', '\rmoved 40\x1b[K', '\n']);
  });

  it('stays quiet when stderr is not a terminal, or in CI', function () {
    for (const [isTTY, env] of [[false, {}], [true, { CI: 'true' }]] as const) {
      const out = stream(isTTY);
      const line = progressLine(out, env, () => 0, 0);
      line.update('moved 1');
      line.done();
      expect(out.written, JSON.stringify({ isTTY, env })).to.deep.equal([]);
    }
  });

  it('prints the rate per second', function () {
    expect(rate(25, 2_000)).to.equal('12.5/s');
    expect(rate(0, 0)).to.equal('0.0/s');
  });
});
