import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand, type StartExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { startFaultProxy, type FaultProxy } from '../../../local/faults/proxy';

/**
 * The SDK's own send, past any aws-sdk-client-mock stub another test file left on the client class
 * (mockClient patches the class prototype while mocha loads that file): these calls must hit the wire.
 */
function wireSend<C extends { send: (command: never) => Promise<unknown> }, O>(client: C, command: { readonly __output?: O } | object): Promise<O> {
  const send = (Object.getPrototypeOf(Object.getPrototypeOf(client)) as { send: (this: C, command: unknown) => Promise<O> }).send;
  return send.call(client, command);
}

describe('local fault proxy (faults for the functions, injected outside functions/)', function () {
  let upstream: Server;
  let proxy: FaultProxy;
  let received: { method: string; url: string; bytes: number }[];
  let putEventsDetails: string[][];
  const config = () => ({ endpoint: proxy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });

  before(async function () {
    upstream = createServer((request, response) => {
      let bytes = 0;
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => {
        bytes += c.length;
        chunks.push(c);
      });
      request.on('end', () => {
        received.push({ method: request.method!, url: request.url!, bytes });
        if (request.headers['x-amz-target'] === 'AWSEvents.PutEvents') {
          const { Entries } = JSON.parse(Buffer.concat(chunks).toString()) as { Entries: { Detail: string }[] };
          putEventsDetails.push(Entries.map((e) => e.Detail));
          response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ FailedEntryCount: 0, Entries: Entries.map((e) => ({ EventId: `id-${e.Detail}` })) }));
        } else if (request.headers['x-amz-target']) response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ executionArn: 'arn:x', startDate: 1 }));
        else response.writeHead(200, { etag: '"e"' }).end();
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    proxy = await startFaultProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });
  after(async () => {
    await proxy.stop();
    await new Promise((r) => upstream.close(r));
  });
  beforeEach(() => {
    received = [];
    putEventsDetails = [];
    proxy.clear();
  });

  it('passes calls through unchanged without rules (a 2 MB PutObject arrives whole)', async function () {
    await wireSend(new S3Client({ ...config(), forcePathStyle: true }), new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: Buffer.alloc(2_000_000) }));
    expect(received).to.deep.equal([{ method: 'PUT', url: '/b/k?x-id=PutObject', bytes: 2_000_000 }]);
  });

  it('fails the matching operation on the matching path the given number of times, as the service answers', async function () {
    proxy.inject({ service: 's3', operation: 'PutObject', pathPrefix: '/archive/', times: 1, error: { status: 403, code: 'AccessDenied', message: 'injected' } });
    const s3 = new S3Client({ ...config(), forcePathStyle: true });
    const error = await wireSend(s3, new PutObjectCommand({ Bucket: 'archive', Key: 'k', Body: 'x' })).catch((e: Error) => e);
    expect(error).to.be.instanceOf(Error).and.to.have.property('name', 'AccessDenied');
    await wireSend(s3, new PutObjectCommand({ Bucket: 'archive', Key: 'k', Body: 'x' })); // spent: passes
    await wireSend(s3, new PutObjectCommand({ Bucket: 'other', Key: 'k', Body: 'x' }));
    expect(received).to.have.length(2);
    expect(proxy.injected().map((r) => r.failed)).to.deep.equal([1]);
  });

  it('fails JSON-protocol calls with their __type until the rule is removed', async function () {
    const remove = proxy.inject({ service: 'states', operation: 'StartExecution', bodyIncludes: '"name":"m-1"', error: { status: 400, code: 'StateMachineDoesNotExist' } });
    const sfn = new SFNClient(config());
    const send = (name: string) => wireSend<SFNClient, StartExecutionCommandOutput>(sfn, new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:wf', name }));
    for (let i = 0; i < 2; i++) expect(await send('m-1').catch((e: Error) => e.name)).to.equal('StateMachineDoesNotExist');
    expect((await send('m-2')).executionArn).to.equal('arn:x');
    remove();
    expect((await send('m-1')).executionArn).to.equal('arn:x');
  });
  it('fails only the PutEvents entries that match, as EventBridge answers a partial failure (the others reach the emulator, in order)', async function () {
    proxy.inject({ service: 'events', operation: 'PutEvents', bodyIncludes: 'poison', entries: true, times: 1, error: { status: 500, code: 'InternalFailure', message: 'injected' } });
    const events = new EventBridgeClient(config());
    const entry = (Detail: string) => ({ Source: 's', DetailType: 't', Detail });
    const first = await wireSend<EventBridgeClient, PutEventsCommandOutput>(events, new PutEventsCommand({ Entries: [entry('{"a":1}'), entry('{"poison":1}'), entry('{"b":2}')] }));
    expect(first.FailedEntryCount).to.equal(1);
    expect(first.Entries).to.deep.equal([{ EventId: 'id-{"a":1}' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'injected' }, { EventId: 'id-{"b":2}' }]);
    const again = await wireSend<EventBridgeClient, PutEventsCommandOutput>(events, new PutEventsCommand({ Entries: [entry('{"poison":1}')] })); // spent
    expect(again.FailedEntryCount).to.equal(0);
    expect(putEventsDetails).to.deep.equal([['{"a":1}', '{"b":2}'], ['{"poison":1}']]);
    expect(proxy.injected().map((r) => r.failed)).to.deep.equal([1]);
  });
});
