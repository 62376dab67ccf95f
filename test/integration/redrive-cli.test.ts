import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { approximateDepth, queueDepth } from '../../scripts/lib/redrive';
import { useMoto } from '../support/moto';

function redriveCli(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/redrive.ts', ...args], { encoding: 'utf8', env: process.env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('redrive CLI against a real SQS (moto)', function () {
  this.timeout(60_000);
  useMoto();

  it('counts on --dry-run, then moves every message back to the source named by the redrive allow policy', async function () {
    const sqs = new SQSClient({});
    const source = (await sqs.send(new CreateQueueCommand({ QueueName: 'cli-source' }))).QueueUrl!;
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: 'cli-source-dlq' }))).QueueUrl!;
    const sourceArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: source, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: dlq,
        Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [sourceArn] }) },
      }),
    );
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: dlq, Entries: Array.from({ length: 7 }, (_, i) => ({ Id: String(i), MessageBody: `m${i}` })) }));

    const dry = redriveCli(['--dlq', dlq, '--dry-run']);
    expect(dry.status, dry.stderr).to.equal(0);
    expect(JSON.parse(dry.stdout)).to.deep.include({ dryRun: true, approximateBefore: 7, moved: 0, to: source });
    expect(await approximateDepth(sqs, dlq)).to.equal(7);

    const real = redriveCli(['--dlq', dlq]);
    expect(real.status, real.stderr).to.equal(0);
    expect(JSON.parse(real.stdout)).to.deep.include({ moved: 7, failed: 0 });
    expect(await approximateDepth(sqs, dlq)).to.equal(0);
    expect(await approximateDepth(sqs, source)).to.equal(7);
  });

  // Terraform's AWS provider caps max_message_size at 262,144, so the deployed queues have that limit.
  const TERRAFORM_MAX = '262144';
  const queues = async (name: string, dlqMax = TERRAFORM_MAX) => {
    const sqs = new SQSClient({});
    const source = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { MaximumMessageSize: TERRAFORM_MAX } }))).QueueUrl!;
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq`, Attributes: { MaximumMessageSize: dlqMax } }))).QueueUrl!;
    return { sqs, source, dlq };
  };

  it('moves five 250 KB messages (moto, like SQS, refuses a SendMessageBatch over 1 MiB) and keeps their attributes', async function () {
    const { sqs, source, dlq } = await queues('big');
    for (let i = 0; i < 5; i++) {
      await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: `${i}`.padEnd(250_000, 'x'), MessageAttributes: { apiRequestId: { DataType: 'String', StringValue: `req-${i}` } } }));
    }

    const real = redriveCli(['--dlq', dlq, '--to', source]);
    expect(real.status, real.stderr).to.equal(0);
    expect(JSON.parse(real.stdout)).to.deep.include({ moved: 5, failed: 0, remaining: 0, complete: true });
    expect(real.stderr, 'no progress line when stderr is not a terminal').not.to.include('\r');
    expect(await approximateDepth(sqs, dlq)).to.equal(0);
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: source, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    expect(Messages.map((m) => m.Body!.length)).to.deep.equal([250_000, 250_000, 250_000, 250_000, 250_000]);
    expect(Messages.map((m) => m.MessageAttributes?.apiRequestId?.StringValue).sort()).to.deep.equal(['req-0', 'req-1', 'req-2', 'req-3', 'req-4']);
  });

  it('a rerun while the messages are still in flight does not claim success: exit 1, and it says how many remain', async function () {
    const { sqs, source, dlq } = await queues('inflight');
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: dlq, Entries: Array.from({ length: 3 }, (_, i) => ({ Id: String(i), MessageBody: `m${i}` })) }));
    // An earlier run (or any consumer) received them and their visibility timeout has not ended.
    const held = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
    expect(held.Messages).to.have.length(3);

    const rerun = redriveCli(['--dlq', dlq, '--to', source]);
    expect(rerun.status, rerun.stdout).to.equal(1);
    expect(JSON.parse(rerun.stdout)).to.deep.include({ moved: 0, failed: 0, remaining: 3, after: { visible: 0, inFlight: 3 }, complete: false });
    expect(rerun.stderr).to.match(/about 3 messages remain in the DLQ \(0 visible, 3 in flight/);
  });

  it("a failed run makes what it did not move visible again at once and exits 1 (a message over the destination's MaximumMessageSize)", async function () {
    // A DLQ made by hand (SQS's default limit, 1 MiB) in front of a Terraform queue (256 KiB).
    const { sqs, source, dlq } = await queues('toolarge', '1048576');
    await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: 'y'.repeat(300_000) }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: dlq, Entries: [{ Id: 'a', MessageBody: 'small a' }, { Id: 'b', MessageBody: 'small b' }] }));

    const run = redriveCli(['--dlq', dlq, '--to', source]);
    expect(run.status, run.stderr).to.equal(1);
    expect(JSON.parse(run.stdout)).to.deep.include({ moved: 2, failed: 1, released: 1, remaining: 1, after: { visible: 1, inFlight: 0 }, complete: false });
    expect(run.stderr).to.include("is 300000 bytes, over the destination's MaximumMessageSize of 262144 bytes");
    expect(await queueDepth(sqs, dlq), 'visible again now, not after a visibility timeout').to.deep.equal({ visible: 1, inFlight: 0 });
    expect(await approximateDepth(sqs, source)).to.equal(2);
  });

  it('refuses bad arguments with a clear message', function () {
    const result = redriveCli(['--max', '0', '--dlq', 'http://127.0.0.1:1/x']);
    expect(result.status).to.equal(2);
    expect(result.stderr).to.match(/--max must be a positive integer/);
  });
});
