import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CopyObjectCommand, CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startRedis, type RunningRedis } from '../../local/redis-server';
import { archive } from '../../functions/reliable-messaging/archive';
import { cleanup } from '../../functions/reliable-messaging/cleanup';
import contract from '../../functions/reliable-messaging/contract.json';
import { ingest, type IngestDeps } from '../../functions/reliable-messaging/ingest';
import { redisConnection, type RedisSettings } from '../../functions/reliable-messaging/redis';
import { salvage } from '../../functions/reliable-messaging/salvage';
import { replaySalvage } from '../../scripts/lib/replay-salvage';
import { useMoto } from '../support/moto';
import { useRedis } from '../support/redis';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

describe('reliable messaging: ingest -> archive -> cleanup, salvage (redis-server with TLS + AUTH, moto)', function () {
  this.timeout(120_000);
  useMoto();
  const redisServer = useRedis();
  let s3: S3Client;
  let sfn: SFNClient;
  let dynamodb: DynamoDBClient;
  let secrets: SecretsManagerClient;
  let secretArn: string;
  let stateMachineArn: string;
  const settings = (server: RunningRedis): RedisSettings => ({ REDIS_HOST: server.host, REDIS_PORT: server.port, REDIS_TLS: 'true', REDIS_AUTH_SECRET_ARN: secretArn });
  let redis: ReturnType<typeof redisConnection>;
  const ingestDeps = (overrides: Partial<IngestDeps> = {}): IngestDeps => ({ redis, sfn, s3, stateMachineArn, salvageBucket: 'salvage', ...overrides });
  const jsonRequest = (body: string, key?: string) => ({ body, headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) } });
  const read = async (bucket: string, key: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());

  before(async function () {
    s3 = new S3Client({ forcePathStyle: true });
    sfn = new SFNClient({});
    dynamodb = new DynamoDBClient({});
    secrets = new SecretsManagerClient({});
    for (const bucket of ['archive', 'salvage']) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'archive', VersioningConfiguration: { Status: 'Enabled' } }));
    await dynamodb.send(new CreateTableCommand({
      TableName: 'metadata', BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: contract.metadataKey, KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: contract.metadataKey, AttributeType: 'S' }],
    }));
    secretArn = (await secrets.send(new CreateSecretCommand({ Name: 'redis-auth', SecretString: redisServer.current().password }))).ARN!;
    stateMachineArn = (await sfn.send(new CreateStateMachineCommand({
      name: 'rm', roleArn: 'arn:aws:iam::123456789012:role/rm', definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
    }))).stateMachineArn!;
    redis = redisConnection(secrets, settings(redisServer.current()), { ca: redisServer.ca() });
  });

  after(async function () {
    (await redis()).disconnect();
  });

  it('a 5 MB message goes through Redis (TLS, AUTH) into the archive byte-identical, and its Redis copy is cleaned up', async function () {
    const body = JSON.stringify({ audit: randomBytes(2_500_000).toString('hex') });
    expect(Buffer.byteLength(body)).to.be.greaterThan(5_000_000);
    const accepted = await ingest(ingestDeps(), jsonRequest(body, 'big-1'));
    expect(accepted.statusCode).to.equal(202);
    expect(accepted.body.duplicate).to.equal(false);
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: String(accepted.body.executionArn) }));
    const pointer = JSON.parse(execution.input!) as { redisKey: string; sha256: string; bytes: number };
    expect(execution.input!.length, 'the execution input is a pointer').to.be.lessThan(1_000);
    expect(pointer).to.deep.include({ sha256: sha256(body), bytes: Buffer.byteLength(body) });

    const archived = await archive({ redis, s3, bucket: 'archive' }, pointer);
    const stored = await read('archive', archived.key);
    expect(sha256(stored)).to.equal(sha256(body));
    expect(stored.equals(Buffer.from(body))).to.equal(true);
    expect(archived.versionId).to.be.a('string');
    expect((await archive({ redis, s3, bucket: 'archive' }, pointer)).versionId, 'a retry writes no new version').to.equal(archived.versionId);

    expect(await cleanup(redis, pointer)).to.deep.equal({ messageId: 'big-1', deleted: 1 });
    expect(await (await redis()).getBuffer(pointer.redisKey)).to.equal(null);
  });

  it('a duplicate is answered and starts nothing, whether the payload is still in Redis or already cleaned up', async function () {
    const first = await ingest(ingestDeps(), jsonRequest('{"n":1}', 'dup-1'));
    expect(first.body.duplicate).to.equal(false);
    const whileStored = await ingest(ingestDeps(), jsonRequest('{"n":1}', 'dup-1'));
    expect(whileStored.body).to.deep.equal({ messageId: 'dup-1', duplicate: true });
    await cleanup(redis, { messageId: 'dup-1', redisKey: `${contract.redisKeyPrefix}dup-1` });
    const afterwards = await ingest(ingestDeps(), jsonRequest('{"n":1}', 'dup-1'));
    expect(afterwards.body).to.deep.equal({ messageId: 'dup-1', duplicate: true });
    expect(await (await redis()).getBuffer(`${contract.redisKeyPrefix}dup-1`), 'the duplicate left nothing behind').to.equal(null);
  });

  it('StartExecution failing: salvaged to S3 with the body intact, 202, Redis key gone', async function () {
    const body = '{"audit":"sfn failing"}';
    const result = await ingest(ingestDeps({ stateMachineArn: `${stateMachineArn}-missing` }), jsonRequest(body, 'sfn-fail'));
    expect(result).to.deep.include({ statusCode: 202, outcome: 'salvaged' });
    const envelope = JSON.parse((await read('salvage', await firstKey('salvage', `${contract.salvagePrefixes.ingest}sfn-fail/`))).toString());
    expect(envelope).to.deep.include({ messageId: 'sfn-fail', body, sha256: sha256(body), stage: 'ingest' });
    expect(await (await redis()).getBuffer(`${contract.redisKeyPrefix}sfn-fail`)).to.equal(null);
  });

  it('the workflow salvage copies the payload from Redis, records FAILED on the metadata item, deletes the key', async function () {
    const accepted = await ingest(ingestDeps(), jsonRequest('{"audit":"to salvage"}', 'wf-fail'));
    const pointer = JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: String(accepted.body.executionArn) }))).input!) as Record<string, unknown>;
    const result = await salvage(
      { redis, s3, dynamodb, salvageBucket: 'salvage', metadataTable: 'metadata' },
      { executionName: 'wf-fail', input: { ...pointer, error: { Error: 'States.TaskFailed', Cause: 'archive kept failing' } } },
    );
    expect(result.payloadLost).to.equal(false);
    const envelope = JSON.parse((await read('salvage', result.salvageKey!)).toString());
    expect(envelope.body).to.equal('{"audit":"to salvage"}');
    const item = (await dynamodb.send(new GetItemCommand({ TableName: 'metadata', Key: { messageId: { S: 'wf-fail' } } }))).Item!;
    expect(item.status).to.deep.equal({ S: 'FAILED' });
    expect(item.payloadLost).to.deep.equal({ BOOL: false });
    expect(await (await redis()).getBuffer(String(pointer.redisKey))).to.equal(null);
  });

  it('reads the AUTH token once per cold start, and a wrong token fails to connect', async function () {
    const sm = mockClient(SecretsManagerClient);
    try {
      sm.on(GetSecretValueCommand).resolves({ SecretString: redisServer.current().password });
      const connection = redisConnection(new SecretsManagerClient({}), settings(redisServer.current()), { ca: redisServer.ca() });
      await (await connection()).getBuffer('x');
      await (await connection()).getBuffer('y');
      expect(sm.commandCalls(GetSecretValueCommand)).to.have.length(1);
      (await connection()).disconnect();
      sm.on(GetSecretValueCommand).resolves({ SecretString: 'wrong' });
      const wrong = redisConnection(new SecretsManagerClient({}), settings(redisServer.current()), { ca: redisServer.ca() });
      const error = await wrong().then(() => undefined, (e: Error) => e);
      expect(String(error)).to.match(/WRONGPASS/);
    } finally {
      sm.restore();
    }
  });

  it('Redis stopped: ingest fails fast into salvage and answers 202 salvaged', async function () {
    const doomed = await startRedis({ password: redisServer.current().password });
    const connection = redisConnection(secrets, settings(doomed), { ca: readFileSync(doomed.caPath) });
    expect((await ingest(ingestDeps({ redis: connection }), jsonRequest('{"n":0}', 'before-stop'))).outcome).to.equal('started');
    await doomed.stop();
    const started = Date.now();
    const result = await ingest(ingestDeps({ redis: connection }), jsonRequest('{"n":1}', 'redis-down'));
    expect(Date.now() - started, 'fails within the Redis timeouts').to.be.lessThan(10_000);
    expect(result).to.deep.include({ statusCode: 202, outcome: 'salvaged' });
    expect(result.body).to.deep.equal({ messageId: 'redis-down', salvaged: true });
    const envelope = JSON.parse((await read('salvage', await firstKey('salvage', `${contract.salvagePrefixes.ingest}redis-down/`))).toString());
    expect(envelope.body).to.equal('{"n":1}');
  });

  it('a warm connection recovers when Redis comes back (e.g. after a failover): the next request is stored again', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'redis-restart-'));
    try {
      const first = await startRedis({ dir, password: redisServer.current().password });
      const connection = redisConnection(secrets, settings(first), { ca: readFileSync(first.caPath) });
      expect((await ingest(ingestDeps({ redis: connection }), jsonRequest('{}', 'warm-1'))).outcome).to.equal('started');
      await first.stop();
      expect((await ingest(ingestDeps({ redis: connection }), jsonRequest('{}', 'warm-2'))).outcome).to.equal('salvaged');
      const again = await startRedis({ dir, port: first.port, password: first.password });
      try {
        expect((await ingest(ingestDeps({ redis: connection }), jsonRequest('{}', 'warm-3'))).outcome).to.equal('started');
      } finally {
        (await connection()).disconnect();
        await again.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('salvage replay brings the salvaged messages through: new executions named from the salvage object, objects moved to replayed/', async function () {
    const post = async (request: { body: string; headers: Record<string, string> }) => {
      const result = await ingest(ingestDeps(), request);
      return { status: result.statusCode, body: result.body };
    };
    const replay = await replaySalvage(s3, { bucket: 'salvage', prefixes: [contract.salvagePrefixes.ingest], post });
    expect(replay).to.deep.include({ found: 3, replayed: 3, duplicates: 0, salvagedAgain: 0, failed: 0, complete: true }); // sfn-fail, redis-down, warm-2
    const left = await s3.send(new ListObjectsV2Command({ Bucket: 'salvage', Prefix: contract.salvagePrefixes.ingest }));
    expect(left.Contents ?? []).to.have.length(0);
    const moved = await s3.send(new ListObjectsV2Command({ Bucket: 'salvage', Prefix: contract.replayedPrefix }));
    expect((moved.Contents ?? []).map((o) => o.Key)).to.have.length(3);
    // A run that sent the objects but died before moving them: the next run's requests are duplicates.
    for (const { Key } of moved.Contents!) {
      await s3.send(new CopyObjectCommand({ Bucket: 'salvage', Key: Key!.slice(contract.replayedPrefix.length), CopySource: `salvage/${encodeURIComponent(Key!)}` }));
    }
    const again = await replaySalvage(s3, { bucket: 'salvage', prefixes: [contract.salvagePrefixes.ingest], post });
    expect(again, 'the same salvage object sent twice is a duplicate').to.deep.include({ replayed: 3, duplicates: 3, failed: 0 });
  });

  async function firstKey(bucket: string, prefix: string): Promise<string> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    expect(listed.Contents, `an object under ${prefix}`).to.have.length(1);
    return listed.Contents![0]!.Key!;
  }
});
