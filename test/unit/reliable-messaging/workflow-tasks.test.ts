import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { archive } from '../../../functions/reliable-messaging/archive';
import { cleanup } from '../../../functions/reliable-messaging/cleanup';
import contract from '../../../functions/reliable-messaging/contract.json';
import { salvage } from '../../../functions/reliable-messaging/salvage';
import { FakeRedis } from './fake-redis';

const payload = Buffer.from(JSON.stringify({ audit: 'record', note: 'ü'.repeat(100) }));
const sha256 = createHash('sha256').update(payload).digest('hex');
const pointer = {
  messageId: 'm-1', redisKey: `${contract.redisKeyPrefix}m-1`, receivedAt: '2026-11-23T12:00:00.000Z', bytes: payload.length, sha256, contentType: 'application/json',
};
const notFound = () => new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });

describe('reliable messaging: archive', function () {
  const s3 = mockClient(S3Client);
  let redis: FakeRedis;
  const deps = () => ({ redis: redis.connection(), s3: new S3Client({}), bucket: 'archive' });
  beforeEach(function () {
    redis = new FakeRedis();
    redis.values.set(pointer.redisKey, payload);
    s3.reset();
    s3.on(HeadObjectCommand).rejects(notFound());
    s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
  });

  it('copies the payload byte for byte under the message id, with the SHA-256 S3 verifies', async function () {
    const result = await archive(deps(), pointer);
    expect(result).to.deep.equal({ bucket: 'archive', key: `${contract.archivePrefix}m-1`, versionId: 'v1', sha256, bytes: payload.length });
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect((put.Body as Buffer).equals(payload)).to.equal(true);
    expect(put.ChecksumSHA256).to.equal(createHash('sha256').update(payload).digest('base64'));
    expect(put).to.deep.include({ Bucket: 'archive', Key: `${contract.archivePrefix}m-1`, ContentType: 'application/json' });
    expect(put.Metadata).to.deep.include({ sha256 });
    expect(redis.values.has(pointer.redisKey), 'archive leaves the key to cleanup').to.equal(true);
  });

  it('a retried task finds its object already archived (same SHA-256) and writes no second version, even with Redis empty', async function () {
    s3.on(HeadObjectCommand).resolves({ VersionId: 'v1', Metadata: { sha256 } });
    redis.values.clear();
    expect((await archive(deps(), pointer)).versionId).to.equal('v1');
    expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
  });

  it('an object under the key with another checksum is overwritten from Redis', async function () {
    s3.on(HeadObjectCommand).resolves({ VersionId: 'v0', Metadata: { sha256: 'b'.repeat(64) } });
    expect((await archive(deps(), pointer)).versionId).to.equal('v1');
  });

  it('payload gone from Redis: PayloadMissingError (not retried by the workflow)', async function () {
    redis.values.clear();
    const error = await archive(deps(), pointer).then(() => undefined, (e: Error) => e);
    expect(error?.name).to.equal('PayloadMissingError');
    expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
  });

  it('SHA-256 mismatch: ChecksumMismatchError, nothing written', async function () {
    redis.values.set(pointer.redisKey, Buffer.concat([payload.subarray(1), Buffer.from('x')]));
    const error = await archive(deps(), pointer).then(() => undefined, (e: Error) => e);
    expect(error?.name).to.equal('ChecksumMismatchError');
    expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
  });

  it('an S3 error other than 404 on the check is thrown (the workflow retries it)', async function () {
    s3.on(HeadObjectCommand).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }));
    const error = await archive(deps(), pointer).then(() => undefined, (e: Error) => e);
    expect(error?.name).to.equal('SlowDown');
  });

  it('a pointer that is not one: ValidationError', async function () {
    for (const bad of [{}, { ...pointer, sha256: 'nope' }, { ...pointer, messageId: '../etc' }, { ...pointer, bytes: contract.maxBodyBytes + 1 }]) {
      const error = await archive(deps(), bad).then(() => undefined, (e: Error) => e);
      expect(error?.name, JSON.stringify(bad)).to.equal('ValidationError');
    }
  });
});

describe('reliable messaging: cleanup', function () {
  it('deletes the key, and a key already gone (a retry) is fine', async function () {
    const redis = new FakeRedis();
    redis.values.set(pointer.redisKey, payload);
    expect(await cleanup(redis.connection(), { messageId: 'm-1', redisKey: pointer.redisKey })).to.deep.equal({ messageId: 'm-1', deleted: 1 });
    expect(await cleanup(redis.connection(), { messageId: 'm-1', redisKey: pointer.redisKey })).to.deep.equal({ messageId: 'm-1', deleted: 0 });
  });

  it('refuses to delete a key outside the message prefix', async function () {
    const redis = new FakeRedis();
    const error = await cleanup(redis.connection(), { messageId: 'm-1', redisKey: 'other:key' }).then(() => undefined, (e: Error) => e);
    expect(error?.name).to.equal('ValidationError');
    expect(redis.calls).to.deep.equal([]);
  });
});

describe('reliable messaging: salvage', function () {
  const s3 = mockClient(S3Client);
  const dynamodb = mockClient(DynamoDBClient);
  let redis: FakeRedis;
  const NOW = new Date('2026-11-23T12:30:00.000Z');
  const deps = () => ({ redis: redis.connection(), s3: new S3Client({}), dynamodb: new DynamoDBClient({}), salvageBucket: 'salvage', metadataTable: 'meta', now: () => NOW });
  const event = (extra: Record<string, unknown> = {}) => ({
    executionName: 'm-1',
    input: { ...pointer, error: { Error: 'ChecksumMismatchError', Cause: '{"errorMessage":"bad"}' }, ...extra },
  });
  beforeEach(function () {
    redis = new FakeRedis();
    redis.values.set(pointer.redisKey, payload);
    s3.reset();
    dynamodb.reset();
    s3.on(PutObjectCommand).resolves({});
    dynamodb.on(UpdateItemCommand).resolves({});
  });

  it('copies the payload to the salvage bucket, records FAILED with the error, then deletes the Redis key', async function () {
    const result = await salvage(deps(), event());
    const key = `${contract.salvagePrefixes.workflow}m-1/m-1.json`;
    expect(result).to.deep.equal({ messageId: 'm-1', salvageKey: key, payloadLost: false });
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).to.deep.include({ Bucket: 'salvage', Key: key });
    const envelope = JSON.parse(String(put.Body));
    expect(Buffer.from(envelope.body as string).equals(payload)).to.equal(true);
    expect(envelope).to.deep.include({ stage: 'workflow', executionName: 'm-1', sha256, error: { name: 'ChecksumMismatchError', message: '{"errorMessage":"bad"}' } });
    const update = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(update.Key).to.deep.equal({ [contract.metadataKey]: { S: 'm-1' } });
    expect(update.ExpressionAttributeValues).to.deep.include({ ':status': { S: 'FAILED' }, ':error': { S: 'ChecksumMismatchError' }, ':payloadLost': { BOOL: false }, ':salvageKey': { S: key } });
    expect(redis.values.size).to.equal(0);
    expect(redis.calls).to.deep.equal(['get', 'del']);
  });

  it('payload gone from Redis and never archived: recorded as lost, loudly (payloadLost), nothing written to S3', async function () {
    redis.values.clear();
    const result = await salvage(deps(), event());
    expect(result).to.deep.equal({ messageId: 'm-1', payloadLost: true });
    expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues).to.deep.include({ ':status': { S: 'FAILED' }, ':payloadLost': { BOOL: true } });
  });

  it('payload gone from Redis but archived before the failure: not lost', async function () {
    redis.values.clear();
    const result = await salvage(deps(), event({ stored: { archive: { bucket: 'archive', key: 'messages/m-1' } } }));
    expect(result).to.deep.equal({ messageId: 'm-1', payloadLost: false, archivedKey: 'messages/m-1' });
  });

  it('the S3 copy failing leaves the Redis key in place (the task is retried) and records nothing yet', async function () {
    s3.on(PutObjectCommand).rejects(new Error('s3 down'));
    await salvage(deps(), event()).then(() => expect.fail('should throw'), () => undefined);
    expect(redis.values.size).to.equal(1);
    expect(dynamodb.commandCalls(UpdateItemCommand)).to.have.length(0);
  });

  it('the record failing leaves the Redis key in place too', async function () {
    dynamodb.on(UpdateItemCommand).rejects(new Error('ddb down'));
    await salvage(deps(), event()).then(() => expect.fail('should throw'), () => undefined);
    expect(redis.values.size).to.equal(1);
  });

  it('keeps only the start of a long cause', async function () {
    await salvage(deps(), event({ error: { Error: 'States.TaskFailed', Cause: 'c'.repeat(40_000) } }));
    const cause = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues![':cause']!.S!;
    expect(cause.length).to.equal(4_000);
  });

  it('an event without a pointer: ValidationError', async function () {
    const error = await salvage(deps(), { executionName: 'x', input: {} }).then(() => undefined, (e: Error) => e);
    expect(error?.name).to.equal('ValidationError');
  });
});
