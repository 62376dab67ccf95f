import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { approximateDepth } from '../../functions/lib/redrive';
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

  it('refuses bad arguments with a clear message', function () {
    const result = redriveCli(['--max', '0', '--dlq', 'http://127.0.0.1:1/x']);
    expect(result.status).to.equal(2);
    expect(result.stderr).to.match(/--max must be a positive integer/);
  });
});
