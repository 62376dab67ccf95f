import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import contract from '../../../functions/reliable-messaging/contract.json';
import type { SalvageEnvelope } from '../../../functions/reliable-messaging/envelope';
import { replaySalvage, replayedKey, type ReplayRequest, type ReplayResponse } from '../../../scripts/lib/replay-salvage';

const envelope = (messageId: string, body = `{"id":"${messageId}"}`): SalvageEnvelope => ({
  messageId, receivedAt: '2026-11-23T12:00:00.000Z', contentType: 'application/json', bytes: body.length, sha256: 'a'.repeat(64), stage: 'ingest', error: { name: 'Error', message: 'redis: down' }, body,
});
const ingestKey = (id: string) => `${contract.salvagePrefixes.ingest}${id}/2026-11-23T12:00:00.000Z.json`;
const workflowKey = (id: string) => `${contract.salvagePrefixes.workflow}${id}/${id}.json`;

describe('replay-salvage', function () {
  const s3 = mockClient(S3Client);
  let objects: Map<string, string>;
  let posted: ReplayRequest[];
  let answer: (request: ReplayRequest) => ReplayResponse;
  const post = async (request: ReplayRequest) => {
    posted.push(request);
    return answer(request);
  };

  beforeEach(function () {
    s3.reset();
    posted = [];
    objects = new Map([
      [ingestKey('a'), JSON.stringify(envelope('a'))],
      [ingestKey('b'), JSON.stringify(envelope('b', 'plain text'))],
      [workflowKey('c'), JSON.stringify({ ...envelope('c'), stage: 'workflow', executionName: 'c' })],
    ]);
    answer = (request) => ({ status: 202, body: { messageId: request.headers['idempotency-key'], duplicate: false } });
    // Pages of one object, to exercise the continuation; like S3, the token marks a key, so objects
    // moved away while listing do not shift the pages.
    s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string; ContinuationToken?: string }) => {
      const keys = [...objects.keys()].filter((k) => k.startsWith(input.Prefix) && (!input.ContinuationToken || k > input.ContinuationToken)).sort();
      const key = keys[0];
      return { Contents: key ? [{ Key: key, Size: objects.get(key)!.length }] : [], IsTruncated: keys.length > 1, NextContinuationToken: key };
    });
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({ Body: { transformToString: async () => objects.get(input.Key)! } }) as unknown as GetObjectCommandOutput);
    s3.on(CopyObjectCommand).callsFake((input: { Key: string; CopySource: string }) => {
      objects.set(input.Key, objects.get(decodeURIComponent(input.CopySource.slice('salvage/'.length)))!);
      return {};
    });
    s3.on(DeleteObjectCommand).callsFake((input: { Key: string }) => {
      objects.delete(input.Key);
      return {};
    });
  });

  it('re-POSTs each salvaged message with its id as Idempotency-Key and its key as X-Replay-Of, then moves it under replayed/', async function () {
    const result = await replaySalvage(new S3Client({}), { bucket: 'salvage', post });
    expect(result).to.deep.include({ found: 3, replayed: 3, failed: 0, duplicates: 0, complete: true });
    expect(posted.map((p) => p.headers)).to.deep.equal([
      { 'content-type': 'application/json', 'idempotency-key': 'a', 'x-replay-of': ingestKey('a') },
      { 'content-type': 'application/json', 'idempotency-key': 'b', 'x-replay-of': ingestKey('b') },
      { 'content-type': 'application/json', 'idempotency-key': 'c', 'x-replay-of': workflowKey('c') },
    ]);
    expect(posted[1]!.body).to.equal('plain text');
    expect([...objects.keys()].sort()).to.deep.equal([ingestKey('a'), ingestKey('b'), workflowKey('c')].map(replayedKey).sort());
  });

  it('a second run finds nothing to replay', async function () {
    await replaySalvage(new S3Client({}), { bucket: 'salvage', post });
    const again = await replaySalvage(new S3Client({}), { bucket: 'salvage', post });
    expect(again).to.deep.include({ found: 0, replayed: 0, complete: true });
    expect(posted).to.have.length(3);
  });

  it('--dry-run counts objects and bytes, sends and moves nothing', async function () {
    const result = await replaySalvage(new S3Client({}), { bucket: 'salvage', post, dryRun: true });
    expect(result).to.deep.include({ dryRun: true, found: 3, replayed: 0 });
    expect(result.bytes).to.equal([...objects.values()].reduce((n, v) => n + v.length, 0));
    expect(posted).to.have.length(0);
    expect(s3.commandCalls(CopyObjectCommand)).to.have.length(0);
  });

  it('--max stops after N objects', async function () {
    const result = await replaySalvage(new S3Client({}), { bucket: 'salvage', post, max: 2 });
    expect(result).to.deep.include({ found: 2, replayed: 2, stoppedBy: 'max' });
    expect(objects.has(workflowKey('c'))).to.equal(true);
  });

  it('a refused or unreadable object is left in place and counted; the rest go on', async function () {
    objects.set(ingestKey('b'), '{"not":"an envelope"}');
    answer = (request) => (request.headers['idempotency-key'] === 'c' ? { status: 503, body: { message: 'Nothing was stored' } } : { status: 202, body: { duplicate: false } });
    const lines: string[] = [];
    const result = await replaySalvage(new S3Client({}), { bucket: 'salvage', post, log: (l) => lines.push(l) });
    expect(result).to.deep.include({ found: 3, replayed: 1, failed: 2, complete: false });
    expect(objects.has(ingestKey('b')) && objects.has(workflowKey('c'))).to.equal(true);
    expect(lines.join('\n')).to.match(/not a salvage envelope/).and.to.match(/answered 503/);
  });

  it('duplicates (an earlier run sent it but did not move it) and replays salvaged again are done too', async function () {
    answer = (request) => ({ status: 202, body: request.headers['idempotency-key'] === 'a' ? { duplicate: true } : { salvaged: true } });
    const result = await replaySalvage(new S3Client({}), { bucket: 'salvage', post });
    expect(result).to.deep.include({ replayed: 3, duplicates: 1, salvagedAgain: 2, failed: 0, complete: true });
  });

  it('stops when aborted', async function () {
    const abort = new AbortController();
    answer = () => {
      abort.abort();
      return { status: 202, body: {} };
    };
    const result = await replaySalvage(new S3Client({}), { bucket: 'salvage', post, signal: abort.signal });
    expect(result).to.deep.include({ replayed: 1, stoppedBy: 'aborted', complete: false });
  });
});
