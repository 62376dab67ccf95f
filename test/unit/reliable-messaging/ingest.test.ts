import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import contract from '../../../functions/reliable-messaging/contract.json';
import { ingest, type IngestRequest } from '../../../functions/reliable-messaging/ingest';
import { executionNameFor } from '../../../functions/reliable-messaging/pointer';
import { FakeRedis } from './fake-redis';

const json = (body: string | null, headers: Record<string, string> = {}): IngestRequest => ({ body, headers: { 'Content-Type': 'application/json', ...headers } });
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const NOW = new Date('2026-11-23T12:00:00.000Z');

describe('reliable messaging: ingest', function () {
  const sfn = mockClient(SFNClient);
  const s3 = mockClient(S3Client);
  let redis: FakeRedis;
  const deps = () => ({
    redis: redis.connection(),
    sfn: new SFNClient({}),
    s3: new S3Client({}),
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:rm',
    salvageBucket: 'salvage',
    now: () => NOW,
    newId: () => 'generated-id',
  });
  const envelopeOf = (index = 0) => JSON.parse(String(s3.commandCalls(PutObjectCommand)[index]!.args[0].input.Body)) as Record<string, unknown>;

  beforeEach(function () {
    redis = new FakeRedis();
    sfn.reset();
    s3.reset();
    // Like Step Functions: a name is taken once (a second start with it, other input, is refused).
    const started = new Set<string>();
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
      if (started.has(input.name)) throw new ExecutionAlreadyExists({ message: `Execution Already Exists: ${input.name}`, $metadata: {} });
      started.add(input.name);
      return { executionArn: `arn:aws:states:us-east-1:123456789012:execution:rm:${input.name}`, startDate: NOW };
    });
    s3.on(PutObjectCommand).resolves({});
  });

  it('stores the payload in Redis (NX, TTL) and starts an execution named by the Idempotency-Key with a pointer, never the payload', async function () {
    const body = JSON.stringify({ record: 'a', text: 'é'.repeat(10) });
    const result = await ingest(deps(), json(body, { 'Idempotency-Key': 'order-42' }));
    expect(result.statusCode).to.equal(202);
    expect(result.body).to.deep.equal({ messageId: 'order-42', executionArn: 'arn:aws:states:us-east-1:123456789012:execution:rm:order-42', duplicate: false });
    const key = `${contract.redisKeyPrefix}order-42`;
    expect(redis.values.get(key)!.equals(Buffer.from(body))).to.equal(true);
    expect(redis.ttls.get(key)).to.equal(contract.redisTtlSeconds);
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.name).to.equal('order-42');
    expect(JSON.parse(start.input!)).to.deep.equal({
      messageId: 'order-42', redisKey: key, receivedAt: NOW.toISOString(), bytes: Buffer.byteLength(body), sha256: sha256(body), contentType: 'application/json',
    });
    expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
  });

  it('generates an id without Idempotency-Key and accepts text/* and application/*+json', async function () {
    expect((await ingest(deps(), { body: 'plain text', headers: { 'content-type': 'text/plain; charset=utf-8' } })).body.messageId).to.equal('generated-id');
    redis.values.clear();
    expect((await ingest(deps(), { body: '{}', headers: { 'content-type': 'application/cloudevents+json' } })).statusCode).to.equal(202);
  });

  describe('refuses what can never be stored, before touching Redis', function () {
    const cases: [string, IngestRequest, number, RegExp][] = [
      ['an empty body', json(''), 400, /empty/],
      ['no body', json(null), 400, /empty/],
      ['a body of maxBodyBytes + 1 bytes', json(`"${'x'.repeat(contract.maxBodyBytes - 1)}"`), 413, /6000001 bytes; at most 6000000/],
      ['multi-byte characters over the limit in bytes, under it in characters', json(`"${'é'.repeat(contract.maxBodyBytes / 2)}"`), 413, /at most 6000000/],
      ['a bad Idempotency-Key', json('{}', { 'Idempotency-Key': 'has spaces and/slashes' }), 400, /Idempotency-Key must match/],
      ['an Idempotency-Key of 61 characters', json('{}', { 'Idempotency-Key': 'k'.repeat(61) }), 400, /Idempotency-Key/],
      ['invalid JSON', json('{"a":'), 400, /not valid JSON/],
      ['a binary content type', { body: 'AAAA', headers: { 'content-type': 'application/octet-stream' } }, 415, /Content-Type/],
      ['no content type', { body: '{}', headers: {} }, 415, /missing/],
      ['invalid UTF-8 bytes (base64-encoded body)', { body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'), isBase64Encoded: true, headers: { 'content-type': 'text/plain' } }, 400, /not valid UTF-8/],
      ['an unpaired surrogate', json('"\ud800"'), 400, /not valid UTF-8/],
      ['X-Replay-Of without Idempotency-Key', json('{}', { 'X-Replay-Of': 'ingest/a/b.json' }), 400, /needs the Idempotency-Key/],
      ['X-Replay-Of with control characters', json('{}', { 'Idempotency-Key': 'a', 'X-Replay-Of': 'x\ny' }), 400, /X-Replay-Of/],
    ];
    for (const [name, request, status, message] of cases) {
      it(name, async function () {
        const result = await ingest(deps(), request);
        expect(result.statusCode).to.equal(status);
        expect(String(result.body.message)).to.match(message);
        expect(redis.calls).to.deep.equal([]);
        expect(sfn.commandCalls(StartExecutionCommand)).to.have.length(0);
      });
    }
  });

  it('accepts exactly maxBodyBytes', async function () {
    const body = `"${'x'.repeat(contract.maxBodyBytes - 2)}"`;
    const result = await ingest(deps(), json(body));
    expect(result.statusCode).to.equal(202);
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!).bytes).to.equal(contract.maxBodyBytes);
  });

  it('stores a __proto__ key as sent, without touching Object.prototype', async function () {
    const body = '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}';
    const result = await ingest(deps(), json(body));
    expect(result.statusCode).to.equal(202);
    expect(redis.values.get(`${contract.redisKeyPrefix}generated-id`)!.toString()).to.equal(body);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('a repeated request (the key still in Redis) is a duplicate: 202, nothing started, the stored payload untouched', async function () {
    await ingest(deps(), json('{"v":1}', { 'Idempotency-Key': 'dup' }));
    const again = await ingest(deps(), json('{"v":2}', { 'Idempotency-Key': 'dup' }));
    expect(again).to.deep.include({ statusCode: 202, outcome: 'duplicate' });
    expect(again.body).to.deep.equal({ messageId: 'dup', duplicate: true });
    expect(redis.values.get(`${contract.redisKeyPrefix}dup`)!.toString()).to.equal('{"v":1}');
    expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
  });

  it('a retry after an ingest died between SET and StartExecution (key there, no execution) starts the execution', async function () {
    const key = `${contract.redisKeyPrefix}orphan`;
    redis.values.set(key, Buffer.from('{"v":1}'));
    const retry = await ingest(deps(), json('{"v":1}', { 'Idempotency-Key': 'orphan' }));
    expect(retry).to.deep.include({ statusCode: 202, outcome: 'started' });
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!).sha256).to.equal(sha256('{"v":1}'));
    expect(redis.values.get(key)!.toString(), 'the key stays for the execution').to.equal('{"v":1}');
  });

  it('a redelivered request after the workflow finished (ExecutionAlreadyExists) is a duplicate and leaves nothing in Redis', async function () {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const result = await ingest(deps(), json('{}', { 'Idempotency-Key': 'done-before' }));
    expect(result).to.deep.include({ statusCode: 202, outcome: 'duplicate' });
    expect(result.body).to.deep.equal({ messageId: 'done-before', duplicate: true });
    expect(redis.values.size).to.equal(0);
    expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
  });

  it('a replay is started under its own deterministic execution name and Redis key, even with a stale copy of the original in Redis', async function () {
    const replayOf = `${contract.salvagePrefixes.ingest}m-1/2026-11-23T11:00:00.000Z.json`;
    redis.values.set(`${contract.redisKeyPrefix}m-1`, Buffer.from('stale'));
    await ingest(deps(), json('{}', { 'Idempotency-Key': 'm-1', 'X-Replay-Of': replayOf }));
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.name).to.equal(executionNameFor('m-1', replayOf));
    expect(start.name).to.match(/^m-1--r[0-9a-f]{16}$/);
    expect(JSON.parse(start.input!)).to.deep.include({ replayOf, redisKey: `${contract.redisKeyPrefix}${start.name}` });
    expect(executionNameFor('k'.repeat(60), replayOf).length).to.be.at.most(80);
  });

  it('Redis down: the raw request is salvaged to S3 and the client gets 202 salvaged', async function () {
    redis.down = new Error('connect ETIMEDOUT');
    const body = '{"audit":"record"}';
    const result = await ingest(deps(), json(body, { 'Idempotency-Key': 'r-down', 'X-Ignored': 'x' }));
    expect(result).to.deep.include({ statusCode: 202, outcome: 'salvaged' });
    expect(result.body).to.deep.equal({ messageId: 'r-down', salvaged: true });
    expect(sfn.commandCalls(StartExecutionCommand)).to.have.length(0);
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).to.deep.include({ Bucket: 'salvage', Key: `${contract.salvagePrefixes.ingest}r-down/${NOW.toISOString()}.json` });
    expect(envelopeOf()).to.deep.include({
      messageId: 'r-down', body, sha256: sha256(body), bytes: body.length, stage: 'ingest', contentType: 'application/json',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'r-down' },
    });
    expect((envelopeOf().error as { message: string }).message).to.match(/^redis: connect ETIMEDOUT/);
  });

  it('a Redis connection that cannot even be made (or a token that cannot be read) is salvaged the same way', async function () {
    const result = await ingest({ ...deps(), redis: async () => { throw new Error('AccessDeniedException'); } }, json('{}'));
    expect(result).to.deep.include({ statusCode: 202, outcome: 'salvaged' });
  });

  it('StartExecution throwing: the Redis key is deleted, the request salvaged, 202', async function () {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const result = await ingest(deps(), json('{"a":1}', { 'Idempotency-Key': 'sfn-down' }));
    expect(result).to.deep.include({ statusCode: 202, outcome: 'salvaged' });
    expect(redis.values.size).to.equal(0);
    expect(envelopeOf().error).to.deep.equal({ name: 'ThrottlingException', message: 'start-execution: Rate exceeded' });
  });

  it('salvage failing too: 503 saying nothing was stored, and nothing is left in Redis', async function () {
    sfn.on(StartExecutionCommand).rejects(new Error('sfn down'));
    s3.on(PutObjectCommand).rejects(new Error('s3 down'));
    const result = await ingest(deps(), json('{}', { 'Idempotency-Key': 'all-down' }));
    expect(result.statusCode).to.equal(503);
    expect(result.outcome).to.equal('unavailable');
    expect(String(result.body.message)).to.match(/Nothing was stored/);
    expect(result.body.retryable).to.equal(true);
    expect(redis.values.size).to.equal(0);
    expect(result.errors!.map((e) => e.stage)).to.deep.equal(['start-execution', 'salvage']);
  });
});
