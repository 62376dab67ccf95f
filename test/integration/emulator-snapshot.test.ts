import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { createVerify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EMULATOR_CREDENTIALS, freePort, motoPython } from '../../local/emulator/moto';
import { repoRoot } from '../../local/stack';

interface Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

/** The shim with local/emulator/snapshot_hooks.py installed (what `make local` runs). */
async function startEmulator(): Promise<Emulator> {
  const port = await freePort();
  const shim = join(repoRoot, 'local/emulator/moto_shim.py');
  const hooks = join(repoRoot, 'local/emulator/snapshot_hooks.py');
  const program = `import runpy, sys; sys.argv = [${JSON.stringify(shim)}, *sys.argv[1:]]; runpy.run_path(${JSON.stringify(hooks)})["install"](); runpy.run_path(${JSON.stringify(shim)}, run_name="__main__")`;
  const child: ChildProcess = spawn(motoPython(), ['-c', program, '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', detached: true });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  };
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${endpoint}/moto-api/data.json`)).ok) return { endpoint, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error('the emulator did not start');
}

const snapshot = async (emulator: Emulator, action: 'save' | 'load', path: string) => fetch(`${emulator.endpoint}/moto-api/snapshot/${action}?path=${encodeURIComponent(path)}`, { method: 'POST' });

/** KMS over its JSON protocol (the project has no KMS client; the emulator checks no signature). */
async function kms<T>(emulator: Emulator, action: string, body: object): Promise<T> {
  const response = await fetch(emulator.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${action}`, authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`KMS ${action}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const clients = (emulator: Emulator) => {
  const config = { endpoint: emulator.endpoint, region: 'us-east-1', credentials: EMULATOR_CREDENTIALS };
  return { sqs: new SQSClient(config), s3: new S3Client({ ...config, forcePathStyle: true }), dynamodb: new DynamoDBClient(config) };
};

describe('emulator snapshot: a fresh emulator loaded from a saved one (local/emulator/snapshot_hooks.py)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'emulator-snapshot-'));
  const file = join(dir, 'emulator.pickle');
  let saved: Emulator | undefined;
  let loaded: Emulator | undefined;

  after(async () => {
    await Promise.all([saved?.stop(), loaded?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers as the saved one: queues with their messages and redrive policy, objects, items, and a KMS key that still signs with the same private key', async function () {
    saved = await startEmulator();
    const before = clients(saved);
    const { QueueUrl: dlqUrl } = await before.sqs.send(new CreateQueueCommand({ QueueName: 'snap-dlq' }));
    const { Attributes: dlq } = await before.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    const redrivePolicy = JSON.stringify({ deadLetterTargetArn: dlq!.QueueArn, maxReceiveCount: 2 });
    const { QueueUrl } = await before.sqs.send(new CreateQueueCommand({ QueueName: 'snap', Attributes: { RedrivePolicy: redrivePolicy, VisibilityTimeout: '7' } }));
    await before.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));
    await before.s3.send(new CreateBucketCommand({ Bucket: 'snap-bucket' }));
    await before.s3.send(new PutObjectCommand({ Bucket: 'snap-bucket', Key: 'a/b.txt', Body: 'object body' }));
    await before.dynamodb.send(new CreateTableCommand({ TableName: 'snap', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }));
    await before.dynamodb.send(new PutItemCommand({ TableName: 'snap', Item: { pk: { S: 'k' }, n: { N: '42' } } }));
    // An asymmetric key: moto holds it as a cryptography object, which pickle cannot copy as it is.
    const { KeyMetadata } = await kms<{ KeyMetadata: { KeyId: string } }>(saved, 'CreateKey', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const { PublicKey } = await kms<{ PublicKey: string }>(saved, 'GetPublicKey', { KeyId: KeyMetadata.KeyId });

    const save = await snapshot(saved, 'save', file);
    expect(save.status, await save.clone().text()).to.equal(200);
    await saved.stop();

    loaded = await startEmulator();
    const load = await snapshot(loaded, 'load', file);
    expect(load.status, await load.clone().text()).to.equal(200);
    const after = clients(loaded);
    const { Attributes } = await after.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy', 'VisibilityTimeout'] }));
    expect(Attributes).to.deep.include({ VisibilityTimeout: '7' });
    expect(JSON.parse(Attributes!.RedrivePolicy!)).to.deep.equal(JSON.parse(redrivePolicy));
    const { Messages = [] } = await after.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(Messages.map((m) => m.Body)).to.deep.equal(['kept']);
    const object = await after.s3.send(new GetObjectCommand({ Bucket: 'snap-bucket', Key: 'a/b.txt' }));
    expect(await object.Body!.transformToString()).to.equal('object body');
    const { Item } = await after.dynamodb.send(new GetItemCommand({ TableName: 'snap', Key: { pk: { S: 'k' } } }));
    expect(Item).to.deep.equal({ pk: { S: 'k' }, n: { N: '42' } });
    const { Signature } = await kms<{ Signature: string }>(loaded, 'Sign', { KeyId: KeyMetadata.KeyId, Message: Buffer.from('signed').toString('base64'), SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' });
    const verify = createVerify('sha256').update('signed');
    expect(verify.verify({ key: Buffer.from(PublicKey, 'base64'), format: 'der', type: 'spki' }, Buffer.from(Signature, 'base64')), 'signed with the saved private key').to.equal(true);
  });

  it('refuses a file that is not a snapshot (the runtime then resets the emulator and applies)', async function () {
    loaded ??= await startEmulator();
    const bad = join(dir, 'not-a-snapshot');
    writeFileSync(bad, 'not a pickle');
    expect((await snapshot(loaded, 'load', bad)).status).to.equal(500);
  });
});
