import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput, type SendMessageBatchResult } from '@aws-sdk/client-sqs';
import contract from '../../../functions/streaming-events/contract.json';
import { messageBytes } from '../../../functions/lib/sqs-batches';
import { deduplicationId } from '../../../functions/streaming-events/event';
import { QueueRefusedError, transformRecords } from '../../../functions/streaming-events/transform';
import { anEvent, firehoseEvent, recorders, utf8 } from './fixtures';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/events.fifo';
const decode = (data: string | undefined) => Buffer.from(data ?? '', 'base64').toString('utf8');

describe('streaming events: transformer', function () {
  const sqs = mockClient(SQSClient);
  /** Accepts every entry, like SQS, and fails the request when it breaks SQS's own limits. */
  const acceptAll = (input: SendMessageBatchCommandInput): SendMessageBatchResult => {
    const bytes = input.Entries!.reduce((sum, e) => sum + messageBytes(e), 0);
    if (input.Entries!.length > 10 || bytes > 1_048_576) throw new Error(`request of ${input.Entries!.length} entries / ${bytes} bytes`);
    return { Successful: input.Entries!.map((e) => ({ Id: e.Id!, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })), Failed: [] };
  };
  const sent = () => sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!);
  const run = (records: Buffer[], sleeps: number[] = []) => transformRecords(new SQSClient({}), firehoseEvent(records).records, { queueUrl: QUEUE, sleep: async (ms) => void sleeps.push(ms) });

  beforeEach(function () {
    sqs.reset();
    sqs.on(SendMessageBatchCommand).callsFake(acceptAll);
  });

  it('answers every record in order with its recordId: Ok with one NDJSON line, or ProcessingFailed with the raw data and a reason', async function () {
    const good = anEvent({ payload: { city: 'Zürich', emoji: '🚚' } });
    const notUtf8 = Buffer.from([0x7b, 0xff, 0x7d]);
    const records = [utf8(good), notUtf8, utf8('not json'), utf8(JSON.stringify(anEvent(), null, 2))];
    const outcome = await run(records);
    expect(outcome.records.map((r) => [r.recordId, r.result])).to.deep.equal([['r0', 'Ok'], ['r1', 'ProcessingFailed'], ['r2', 'ProcessingFailed'], ['r3', 'Ok']]);
    expect(decode(outcome.records[0]!.data)).to.equal(`${JSON.stringify(good)}\n`);
    expect(decode(outcome.records[3]!.data).split('\n')).to.have.length(2);
    expect(outcome.records[1]!.data).to.equal(notUtf8.toString('base64'));
    expect(outcome.failed).to.deep.equal([
      { recordId: 'r1', reason: 'record is not valid UTF-8 (first invalid byte at offset 1)' },
      { recordId: 'r2', reason: outcome.failed[1]!.reason },
    ]);
    expect(outcome.failed[1]!.reason).to.match(/not valid JSON/);
    expect(outcome.queued).to.equal(2);
  });

  it('queues valid records only, grouped by entity and deduplicated by the hash of the record bytes', async function () {
    const a = utf8(anEvent({ entityId: 'order-a' }));
    const b = utf8(anEvent({ entityId: 'order-b' }));
    await run([a, utf8('{}'), b]);
    const [entries] = sent();
    expect(entries!.map((e) => [e.MessageGroupId, e.MessageDeduplicationId, e.MessageBody])).to.deep.equal([
      ['order-a', deduplicationId(a), a.toString()],
      ['order-b', deduplicationId(b), b.toString()],
    ]);
  });

  it('a Firehose retry of the same batch sends the same deduplication ids (SQS drops the repeats)', async function () {
    const records = [utf8(anEvent()), utf8(anEvent())];
    await run(records);
    await run(records);
    const [first, second] = sent();
    expect(second!.map((e) => e.MessageDeduplicationId)).to.deep.equal(first!.map((e) => e.MessageDeduplicationId));
  });

  it('sends 10 entries per request, and cuts by bytes (1 MiB) before that', async function () {
    await run(Array.from({ length: 25 }, () => utf8(anEvent())));
    expect(sent().map((e) => e.length)).to.deep.equal([10, 10, 5]);
    sqs.resetHistory();
    // Five events of ~250 KB: at most four fit in 1 MiB.
    const big = () => utf8(anEvent({ payload: { s: 'x'.repeat(250_000) } }));
    await run(Array.from({ length: 5 }, big));
    expect(sent().map((e) => e.length)).to.deep.equal([4, 1]);
  });

  it('keeps the order of each entity across requests', async function () {
    const events = Array.from({ length: 23 }, (_, i) => anEvent({ entityId: `order-${i % 3}` }));
    await run(events.map((e) => utf8(e)));
    const bodies = sent().flat().map((e) => (JSON.parse(e.MessageBody!) as { eventId: string }).eventId);
    expect(bodies).to.deep.equal(events.map((e) => e.eventId));
  });

  it('retries only the entries SQS failed on its side, with backoff', async function () {
    let call = 0;
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      call += 1;
      if (call > 1) return acceptAll(input);
      const [first, ...rest] = input.Entries!;
      return { Successful: rest.map((e) => ({ Id: e.Id!, MessageId: 'm', MD5OfMessageBody: '' })), Failed: [{ Id: first!.Id!, Code: 'InternalError', SenderFault: false }] };
    });
    const sleeps: number[] = [];
    const outcome = await run([utf8(anEvent()), utf8(anEvent()), utf8(anEvent())], sleeps);
    expect(sent().map((e) => e.map((x) => x.Id))).to.deep.equal([['0', '1', '2'], ['0']]);
    expect(outcome).to.deep.include({ queued: 3, calls: 2, retries: 1 });
    expect(outcome.records.every((r) => r.result === 'Ok')).to.equal(true);
    expect(sleeps).to.have.length(1);
  });

  it("a record SQS refuses as the sender's fault is ProcessingFailed with SQS's reason; the others carry on", async function () {
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      const [first, ...rest] = input.Entries!;
      return { Successful: rest.map((e) => ({ Id: e.Id!, MessageId: 'm', MD5OfMessageBody: '' })), Failed: [{ Id: first!.Id!, Code: 'InvalidMessageContents', Message: 'bad characters', SenderFault: true }] };
    });
    const records = [utf8(anEvent()), utf8(anEvent())];
    const outcome = await run(records);
    expect(sent()).to.have.length(1);
    expect(outcome.records.map((r) => r.result)).to.deep.equal(['ProcessingFailed', 'Ok']);
    expect(outcome.records[0]!.data).to.equal(records[0]!.toString('base64'));
    expect(outcome.failed).to.deep.equal([{ recordId: 'r0', reason: 'SQS refused the record: InvalidMessageContents (bad characters)' }]);
    expect(outcome.queued).to.equal(1);
  });

  it('throws QueueRefusedError naming the records when SQS keeps failing them, so Firehose retries the batch', async function () {
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
      Successful: input.Entries!.slice(1).map((e) => ({ Id: e.Id!, MessageId: 'm', MD5OfMessageBody: '' })),
      Failed: [{ Id: input.Entries![0]!.Id!, Code: 'ServiceUnavailable', SenderFault: false }],
    }));
    const error = await run([utf8('{}'), utf8(anEvent()), utf8(anEvent())]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(QueueRefusedError);
    expect((error as QueueRefusedError).refused[0]!.recordId).to.equal('r1');
    // 5 attempts: the failing entry each time (and the others only once).
    expect(sent().map((e) => e.length)).to.deep.equal([2, 1, 1, 1, 1]);
  });

  it('an entry that SQS answers for in neither list is not counted as sent', async function () {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const error = await run([utf8(anEvent())]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(QueueRefusedError);
    expect((error as QueueRefusedError).refused[0]!.reason).to.include('no result for the entry');
  });

  it('handler: logs each failed record with its reason, counts them, and rethrows a refusal after counting it', async function () {
    process.env.QUEUE_URL = QUEUE;
    const { transformer } = await import('../../../functions/streaming-events/transformer.handler');
    const rec = recorders();
    const handle = transformer({ sqs: new SQSClient({}), queueUrl: QUEUE, logger: rec.logger, metrics: rec.metricsSink, sleep: async () => {} });
    const response = await handle(firehoseEvent([utf8(anEvent()), Buffer.from([0xc3])]));
    expect(response.records.map((r) => r.result)).to.deep.equal(['Ok', 'ProcessingFailed']);
    expect(Object.keys(response.records[1]!).sort()).to.deep.equal(['data', 'recordId', 'result']);
    expect(rec.logs.filter((l) => l.level === 'warn').map((l) => l.extra)).to.deep.equal([{ recordId: 'r1', reason: 'record is not valid UTF-8 (first invalid byte at offset 0)' }]);
    expect(rec.metrics).to.deep.equal([{ name: contract.metrics.invalidRecords, value: 1 }]);

    sqs.on(SendMessageBatchCommand).rejects(new Error('AccessDenied'));
    const thrown = await handle(firehoseEvent([utf8(anEvent())])).catch((e: unknown) => e);
    expect((thrown as Error).message).to.equal('AccessDenied');
  });
});
