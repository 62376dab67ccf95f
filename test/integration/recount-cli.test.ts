import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { useMoto } from '../support/moto';

function recountCli(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/recount.ts', ...args], { encoding: 'utf8', env: process.env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('recount CLI against a real table and queue (moto)', function () {
  this.timeout(60_000);
  useMoto();

  it('finds the notes without a count of their current version and queues one request each', async function () {
    const dynamodb = new DynamoDBClient({});
    const sqs = new SQSClient({});
    await dynamodb.send(
      new CreateTableCommand({ TableName: 'cli-notes', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'noteId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'noteId', AttributeType: 'S' }] }),
    );
    // MaximumMessageSize as Terraform sets it (the AWS provider caps it at 262,144).
    const queue = (await sqs.send(new CreateQueueCommand({ QueueName: 'cli-count', Attributes: { MaximumMessageSize: '262144' } }))).QueueUrl!;
    const old = '2026-01-01T00:00:00.000Z';
    const notes = [
      { noteId: '00000000-0000-4000-8000-000000000001', content: 'never counted', version: 1, updatedAt: old },
      { noteId: '00000000-0000-4000-8000-000000000002', content: 'counted an older version', version: 3, wordCount: 2, countedVersion: 2, updatedAt: old },
      { noteId: '00000000-0000-4000-8000-000000000003', content: 'counted', version: 2, wordCount: 1, countedVersion: 2, updatedAt: old },
      { noteId: '00000000-0000-4000-8000-000000000004', content: 'just changed', version: 1, updatedAt: new Date().toISOString() },
      // 50,000 control characters: about 300 KB as JSON, more than the queue takes in one message.
      { noteId: '00000000-0000-4000-8000-000000000005', content: '\u0001'.repeat(50_000), version: 1, updatedAt: old },
    ];
    for (const note of notes) await dynamodb.send(new PutItemCommand({ TableName: 'cli-notes', Item: marshall({ createdAt: old, ...note }) }));

    const dry = recountCli(['--table', 'cli-notes', '--queue', queue, '--dry-run']);
    expect(dry.status, dry.stderr).to.equal(0);
    expect(JSON.parse(dry.stdout)).to.deep.include({ scanned: 5, uncounted: 3, sent: 0, dryRun: true });

    const real = recountCli(['--table', 'cli-notes', '--queue', queue]);
    expect(real.status, real.stderr).to.equal(0);
    expect(JSON.parse(real.stdout)).to.deep.include({ uncounted: 3, sent: 3, failed: 0, calls: 1 });
    expect(real.stderr, 'no progress line when stderr is not a terminal').not.to.include('\r');
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10 }));
    // A request names the note and version; the counter reads the text.
    expect(Messages.map((m) => JSON.parse(m.Body!) as object)).to.have.deep.members([
      { noteId: '00000000-0000-4000-8000-000000000001', version: 1 },
      { noteId: '00000000-0000-4000-8000-000000000002', version: 3 },
      { noteId: '00000000-0000-4000-8000-000000000005', version: 1 },
    ]);
  });

  it('refuses bad arguments with a usage line', function () {
    const missing = recountCli(['--table', 'cli-notes']);
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.include('usage: recount');
    const badAge = recountCli(['--table', 't', '--queue', 'q', '--min-age-seconds', '-1']);
    expect(badAge.status).to.equal(2);
    expect(badAge.stderr).to.include('--min-age-seconds');
  });
});
