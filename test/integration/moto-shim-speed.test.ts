import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { CreateQueueCommand, GetQueueAttributesCommand, ListQueuesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { motoPython, startMoto } from '../../local/emulator/moto';
import { useMoto } from '../support/moto';

const repoRoot = join(__dirname, '../..');

interface EmulatorWork {
  received: number;
  queueAttributesPerReceive: number;
  jsonPathParsersForFiftyEvents: number;
  messageVisitsPerDeleteBatch: number;
  messagesQueuedAtDelete: number;
  deleteBatch: { successful: string[]; failed: string[]; messagesDeleted: number };
  messageVisitsPerFifoSend: number;
  fifoBodiesAfterResend: string[];
}

/**
 * The work counted by fixtures/moto-shim-work/count_work.py, in moto's own models, with the shim (300
 * messages queued) or without it (30: without the shim every receive counts the whole queue). One run
 * of each counts everything the tests below look at, so each runs once.
 */
const runs = new Map<boolean, EmulatorWork>();
function emulatorWork(withShim: boolean): EmulatorWork {
  if (!runs.has(withShim)) runs.set(withShim, countWork(withShim, withShim ? 30 : 3));
  return runs.get(withShim)!;
}

function countWork(withShim: boolean, batchesQueued: number): EmulatorWork {
  const script = join(repoRoot, 'test/integration/fixtures/moto-shim-work/count_work.py');
  const shim = withShim ? join(repoRoot, 'local/emulator/moto_shim.py') : '-';
  // In process, never the running server: no endpoint from this test process's environment.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_ENDPOINT_URL')));
  const result = spawnSync(motoPython(), ['-W', 'ignore::DeprecationWarning', script, shim, String(batchesQueued)], { encoding: 'utf8', timeout: 120_000, env: { ...env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } });
  expect(result.status, result.stderr).to.equal(0);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as EmulatorWork;
}

/**
 * Emulator costs the shim removes (local/emulator/moto_shim.py), found by profiling moto during the
 * 10,000-event streaming e2e run: counted as work done, not timed. Each test also runs moto without
 * the shim, so it shows the cost is there to remove (and says so if a moto release removes it).
 */
describe('moto shim: emulator work the local stack relies on not growing', function () {
  this.timeout(120_000);
  useMoto();

  it('ReceiveMessage computes no queue attributes for the messages it hands out (moto: three times per message, each counting every message queued)', function () {
    const shimmed = emulatorWork(true);
    expect(shimmed.received, 'messages received from 300 queued').to.equal(10);
    expect(shimmed.queueAttributesPerReceive, 'queue attribute computations in one receive, with the shim').to.equal(0);
    const unshimmed = emulatorWork(false);
    expect(unshimmed.received).to.equal(10);
    expect(unshimmed.queueAttributesPerReceive, 'without the shim').to.equal(30);
  });

  it('GetQueueAttributes for named attributes answers what "All" answers for them, and refuses an unknown name', async function () {
    const sqs = new SQSClient({});
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'shim-named', Attributes: { MessageRetentionPeriod: '120', VisibilityTimeout: '7' } }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }] }));
    const names = ['MessageRetentionPeriod', 'VisibilityTimeout', 'ApproximateNumberOfMessages', 'QueueArn'] as const;
    const all = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes!;
    const named = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: [...names] }))).Attributes!;
    expect(named).to.deep.equal(Object.fromEntries(names.map((n) => [n, all[n]])));
    expect(named).to.include({ MessageRetentionPeriod: '120', VisibilityTimeout: '7', ApproximateNumberOfMessages: '2' });
    const error = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['NoSuchAttribute' as 'All'] })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).to.match(/InvalidAttributeName/);
  });

  it('DeleteMessageBatch of 11 entries looks at each queued message once and answers as moto does (moto: twice per entry)', function () {
    const shimmed = emulatorWork(true);
    const unshimmed = emulatorWork(false);
    // Seven fresh handles, one already deleted, a message's old and new handle, and one no message had.
    const expected = { successful: ['new', 'old', 'r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'], failed: ['bogus:ReceiptHandleIsInvalid:true'], messagesDeleted: 8 };
    expect(shimmed.deleteBatch, 'with the shim').to.deep.equal(expected);
    expect(unshimmed.deleteBatch, 'moto without the shim').to.deep.equal(expected);
    expect(shimmed.messagesQueuedAtDelete).to.equal(299);
    expect(shimmed.messageVisitsPerDeleteBatch, 'messages looked at, with the shim').to.be.at.most(shimmed.messagesQueuedAtDelete);
    expect(unshimmed.messageVisitsPerDeleteBatch, 'without the shim').to.be.at.least(5 * unshimmed.messagesQueuedAtDelete);
  });

  it('a FIFO send checks its deduplication id without walking the queue, and an id stays taken for five minutes after its message was deleted, as in SQS (moto: compared with every queued message, and forgot deleted ones)', function () {
    const shimmed = emulatorWork(true);
    expect(shimmed.messageVisitsPerFifoSend, 'queued messages looked at by one send, with the shim').to.equal(0);
    // Resent: the id of a message still queued, the id of one received and deleted, a new id.
    expect(shimmed.fifoBodiesAfterResend).to.deep.equal(['new again', 'queued']);
    const unshimmed = emulatorWork(false);
    expect(unshimmed.messageVisitsPerFifoSend, 'without the shim').to.be.at.least(unshimmed.messagesQueuedAtDelete - 8);
    expect(unshimmed.fifoBodiesAfterResend, 'moto without the shim delivers the deleted message\'s id again').to.deep.equal(['consumed again', 'new again', 'queued']);
  });

  it('writes no access log line per request unless LOCAL_EMULATOR_REQUEST_LOG=1', async function () {
    const requestLines = async (requestLog: boolean) => {
      const saved = process.env.LOCAL_EMULATOR_REQUEST_LOG;
      if (requestLog) process.env.LOCAL_EMULATOR_REQUEST_LOG = '1';
      else delete process.env.LOCAL_EMULATOR_REQUEST_LOG;
      let output = '';
      const log = new PassThrough().on('data', (chunk: Buffer) => (output += chunk.toString()));
      const moto = await startMoto({ log });
      try {
        await new SQSClient({ endpoint: moto.endpoint }).send(new ListQueuesCommand({}));
        await new Promise((resolve) => setTimeout(resolve, 200)); // let the child's output arrive
      } finally {
        await moto.stop();
        if (saved === undefined) delete process.env.LOCAL_EMULATOR_REQUEST_LOG;
        else process.env.LOCAL_EMULATOR_REQUEST_LOG = saved;
      }
      return output.split('\n').filter((line) => /"POST \/ HTTP\/1\.1" 200/.test(line));
    };
    expect(await requestLines(false), 'access log lines by default').to.deep.equal([]);
    expect(await requestLines(true), 'with LOCAL_EMULATOR_REQUEST_LOG=1').to.have.length(1);
  });

  it('PutEvents to a bus with an archive builds no JSONPath parser once its expressions were parsed (moto: six per target per event)', function () {
    expect(emulatorWork(true).jsonPathParsersForFiftyEvents, 'parsers built for 50 more events, with the shim').to.equal(0);
    expect(emulatorWork(false).jsonPathParsersForFiftyEvents, 'without the shim').to.be.at.least(50);
  });
});
