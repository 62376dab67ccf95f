import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { FaultRule } from '../../local/faults/proxy';
import { expect } from 'chai';
import contract from '../../functions/reliable-messaging/contract.json';
import { sha256Hex } from '../../functions/reliable-messaging/pointer';
import { jsonBodyOf, reliableMessagingProbe, type ReliableMessagingProbe, type ReliableMessagingSummary } from '../../local/scenarios/reliable-messaging';
import type { LocalStack } from '../../local/stack';
import { e2eStack, emulatorClientConfig } from './stack.fixture';

/** Reliable messaging on the shared local stack: API -> ingest (Redis, StartExecution) -> the workflow run locally. */
describe('reliable messaging end to end (local stack: Redis, the applied state machine, archive, metadata, aggregate)', function () {
  this.timeout(300_000);
  let stack: LocalStack;
  let summary: ReliableMessagingSummary;
  let probe: ReliableMessagingProbe;
  const run = randomBytes(3).toString('hex');

  before(async function () {
    stack = e2eStack();
    summary = stack.pipelines.reliable_messaging as unknown as ReliableMessagingSummary;
    expect(summary, `pipelines: ${Object.keys(stack.pipelines).join(', ')}`).to.not.equal(undefined);
    const endpoint = stack.endpoints.find((e) => e.method === 'POST' && e.url.includes(`/${String(stack.pipelines.reliable_messaging!.rest_api_id)}/`) && e.url.endsWith('/messages'));
    expect(endpoint, `endpoints: ${JSON.stringify(stack.endpoints)}`).to.not.equal(undefined);
    probe = await reliableMessagingProbe(stack.emulatorEndpoint, endpoint!, summary);
  });
  after(() => probe?.close());

  it('archives a 5 MB message byte-identical (sha256), records its metadata, publishes the aggregate and deletes the Redis key', async function () {
    const messageId = `e2e-${run}-5mb`;
    const body = jsonBodyOf(5 * 1024 * 1024, '5 MB');
    const answer = await probe.send(body, messageId);
    expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
    expect(answer.body).to.include({ messageId, duplicate: false });

    const [where] = await probe.whereabouts([messageId]);
    expect(where!.execution?.status, JSON.stringify(where!.execution)).to.equal('SUCCEEDED');
    expect(where!.archive).to.deep.equal({ key: `${contract.archivePrefix}${messageId}`, sha256: sha256Hex(body), bytes: Buffer.byteLength(body) });
    expect(where!.metadata).to.include({ messageId, status: 'ARCHIVED', sha256: sha256Hex(body), bytes: String(Buffer.byteLength(body)), executionName: messageId });
    expect(where!.aggregate).to.include({ messageId, sha256: sha256Hex(body), bytes: Buffer.byteLength(body) });
    expect(where!.redisKeyPresent).to.equal(false);
  });

  it('answers a repeated request as a duplicate and starts no second execution', async function () {
    const messageId = `e2e-${run}-dup`;
    const body = jsonBodyOf(300 * 1024, 'duplicate');
    const first = await probe.send(body, messageId);
    expect(first.status).to.equal(202);
    await probe.whereabouts([messageId]);
    const startedBefore = stack.stepFunctions.stats.reduce((n, s) => n + s.started, 0);

    const again = await probe.send(body, messageId);
    expect(again.status, JSON.stringify(again.body)).to.equal(202);
    expect(again.body).to.include({ messageId, duplicate: true });
    await new Promise((r) => setTimeout(r, 1500)); // several polls of the runtime
    const [where] = await probe.whereabouts([messageId]);
    expect(where!.executionsNamed).to.equal(1);
    expect(stack.stepFunctions.stats.reduce((n, s) => n + s.started, 0)).to.equal(startedBefore);
    expect(where!.redisKeyPresent, 'the duplicate leaves nothing behind in Redis').to.equal(false);
  });

  it('salvages the raw request to S3 and still answers 202 while Redis is down', async function () {
    const redis = Object.values(stack.redis)[0]!;
    const messageId = `e2e-${run}-noredis`;
    await redis.stop();
    try {
      const answer = await probe.send(jsonBodyOf(1024, 'no redis'), messageId);
      expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
      expect(answer.body).to.include({ messageId, salvaged: true });
    } finally {
      await redis.start();
    }
    const s3 = new S3Client({ ...emulatorClientConfig(), forcePathStyle: true });
    const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: summary.salvage_bucket, Prefix: `${contract.salvagePrefixes.ingest}${messageId}/` }));
    expect(Contents, 'one salvage envelope for the message').to.have.length(1);
  });

  describe('with faults injected (local/faults/proxy.ts in front of the emulator; nothing test-only in functions/)', function () {
    let s3: S3Client;
    const keysUnder = async (bucket: string, prefix: string): Promise<string[]> => {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        ContinuationToken = page.NextContinuationToken;
      } while (ContinuationToken);
      return keys;
    };
    const accessDenied = { status: 403, code: 'AccessDenied', message: 'injected by the e2e test' };
    const archiveFault = (messageId: string, times?: number): FaultRule => ({ service: 's3', operation: 'PutObject', pathPrefix: `/${summary.archive_bucket}/${contract.archivePrefix}${messageId}`, times, error: accessDenied });
    const startFault = (messageId: string): FaultRule => ({ service: 'states', operation: 'StartExecution', bodyIncludes: `"name":"${messageId}"`, error: { status: 400, code: 'AccessDeniedException', message: 'injected by the e2e test' } });

    before(() => (s3 = new S3Client({ ...emulatorClientConfig(), forcePathStyle: true })));
    afterEach(() => stack.faults.clear());

    it('StartExecution failing: salvaged, 202, the Redis key deleted, no execution', async function () {
      const messageId = `e2e-${run}-nostart`;
      stack.faults.inject(startFault(messageId));
      const answer = await probe.send(jsonBodyOf(2048, 'no start'), messageId);
      expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
      expect(answer.body).to.include({ messageId, salvaged: true });
      expect(await keysUnder(summary.salvage_bucket, `${contract.salvagePrefixes.ingest}${messageId}/`)).to.have.length(1);
      const [where] = await probe.whereabouts([messageId], 2000);
      expect(where!.executionsNamed).to.equal(0);
      expect(where!.redisKeyPresent).to.equal(false);
    });

    it('archive failing transiently: retried by the workflow and archived', async function () {
      const messageId = `e2e-${run}-flaky`;
      const body = jsonBodyOf(4096, 'flaky archive');
      stack.faults.inject(archiveFault(messageId, 2));
      expect((await probe.send(body, messageId)).status).to.equal(202);
      const [where] = await probe.whereabouts([messageId]);
      expect(where!.execution?.status, JSON.stringify(where!.execution)).to.equal('SUCCEEDED');
      expect(where!.execution!.retries).to.be.greaterThanOrEqual(2);
      expect(where!.archive?.sha256).to.equal(sha256Hex(body));
      expect(where!.redisKeyPresent).to.equal(false);
    });

    it('archive failing permanently: caught, the payload salvaged, the failure recorded, the execution FAILED, the Redis key gone', async function () {
      const messageId = `e2e-${run}-broken`;
      const body = jsonBodyOf(4096, 'broken archive');
      stack.faults.inject(archiveFault(messageId));
      expect((await probe.send(body, messageId)).status).to.equal(202);
      const [where] = await probe.whereabouts([messageId]);
      expect(where!.execution?.status, JSON.stringify(where!.execution)).to.equal('FAILED');
      expect(where!.archive).to.equal(undefined);
      expect(where!.metadata).to.include({ status: 'FAILED' });
      expect(await keysUnder(summary.salvage_bucket, `${contract.salvagePrefixes.workflow}${messageId}/`)).to.have.length(1);
      expect(where!.redisKeyPresent).to.equal(false);
    });

    it('200 messages, a fifth of them with injected failures: archived + salvaged = sent, exactly', async function () {
      const ids = Array.from({ length: 200 }, (_, i) => `fault-${run}-${String(i).padStart(3, '0')}`);
      for (const [i, id] of ids.entries()) {
        if (i % 10 === 0) stack.faults.inject(startFault(id)); // salvaged by ingest
        if (i % 10 === 1) stack.faults.inject(archiveFault(id)); // salvaged by the workflow
        if (i % 10 === 2) stack.faults.inject(archiveFault(id, 1)); // retried, archived
      }
      const answers: number[] = [];
      for (let i = 0; i < ids.length; i += 10) answers.push(...(await Promise.all(ids.slice(i, i + 10).map((id) => probe.send(jsonBodyOf(2048, id), id).then((a) => a.status)))));
      expect(answers.filter((s) => s === 202)).to.have.length(200);
      const started = ids.filter((_, i) => i % 10 !== 0);
      const deadline = Date.now() + 240_000;
      const ended = () => new Set(stack.stepFunctions.records.map((r) => r.name));
      while (started.some((id) => !ended().has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
      const idOf = (key: string) => /fault-[0-9a-f]+-\d{3}/.exec(key)?.[0] ?? key;
      const archived = new Set((await keysUnder(summary.archive_bucket, `${contract.archivePrefix}fault-${run}-`)).map(idOf));
      const salvaged = new Set([
        ...(await keysUnder(summary.salvage_bucket, `${contract.salvagePrefixes.ingest}fault-${run}-`)).map(idOf),
        ...(await keysUnder(summary.salvage_bucket, `${contract.salvagePrefixes.workflow}fault-${run}-`)).map(idOf),
      ]);
      expect([...archived].filter((id) => salvaged.has(id)), 'archived and salvaged both').to.deep.equal([]);
      expect({ archived: archived.size, salvaged: salvaged.size, total: archived.size + salvaged.size }).to.deep.equal({ archived: 160, salvaged: 40, total: 200 });
    });
  });
});
