import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { approximateDepth, redrive } from '../../scripts/lib/redrive';
import { loadRestApis } from '../../local/gateway/load';
import { startApiServer } from '../../local/gateway/server';
import type { LocalStack } from '../../local/stack';
import { waitFor } from '../support/wait-for';
import { e2eStack, emulatorClientConfig, logs } from './stack.fixture';

interface StorageFirstSummary {
  endpoint_url: string;
  queue_url: string;
  dlq_url: string;
  rest_api_id: string;
}

/** The storage-first API driven over HTTP on the shared local stack (stack.fixture.ts). */
describe('storage first end to end (local stack: API -> queue -> processor -> DLQ -> redrive)', function () {
  this.timeout(300_000);
  let stack: LocalStack;
  let sqs: SQSClient;
  let url: string;
  let apiKey: string;
  let pipeline: StorageFirstSummary;

  before(function () {
    stack = e2eStack();
    pipeline = stack.pipelines.storage_first as unknown as StorageFirstSummary;
    expect(pipeline, `pipelines: ${Object.keys(stack.pipelines).join(', ')}`).to.be.an('object');
    const endpoint = stack.endpoints.find((e) => e.url.endsWith('/messages'));
    expect(endpoint, `endpoints: ${JSON.stringify(stack.endpoints)}`).to.not.equal(undefined);
    url = endpoint!.url;
    apiKey = endpoint!.apiKey!;
    sqs = new SQSClient(emulatorClientConfig());
  });

  const post = (body: string, headers: Record<string, string> = { 'x-api-key': apiKey, 'content-type': 'application/json' }) =>
    fetch(url, { method: 'POST', headers, body });

  const processedLogFor = (messageId: string) => logs.find((l) => l.includes('"message processed"') && l.includes(messageId));

  it('wires the API to the queue that the processor consumes', function () {
    const queueName = pipeline.queue_url.split('/').pop();
    const mapping = stack.mappings.find((m) => m.FunctionArn?.endsWith(':e2e-storage-first-processor'));
    expect(mapping?.EventSourceArn?.split(':')[5]).to.equal(queueName);
  });

  it('delivers an accepted message to the processor, which logs it', async function () {
    const response = await post(JSON.stringify({ type: 'order.created', data: { orderId: 'o-1' } }));
    expect(response.status).to.equal(202);
    const { messageId, requestId } = (await response.json()) as { messageId: string; requestId: string };
    const line = await waitFor('the processor to log the message', () => processedLogFor(messageId), 30_000);
    expect(line).to.include(requestId).and.include('o-1');
    expect(await approximateDepth(sqs, pipeline.queue_url)).to.equal(0);
  });

  it('refuses a request without the API key (403) and stores nothing', async function () {
    const response = await post('{"type":"x","data":{}}', { 'content-type': 'application/json' });
    expect(response.status).to.equal(403);
    expect(await approximateDepth(sqs, pipeline.queue_url)).to.equal(0);
  });

  it('refuses bodies that are not a non-empty JSON object (400)', async function () {
    for (const body of ['', 'not json', '{}', '[]']) {
      expect((await post(body)).status, `body ${JSON.stringify(body)}`).to.equal(400);
    }
  });

  it('parks a poison message in the DLQ after its attempts, and redrive brings it back', async function () {
    const response = await post(JSON.stringify({ kind: 'missing type and data' }));
    expect(response.status).to.equal(202);
    const { messageId } = (await response.json()) as { messageId: string };

    await waitFor('the poison message in the DLQ', async () => ((await approximateDepth(sqs, pipeline.dlq_url)) === 1 ? true : undefined), 120_000);
    expect(logs.filter((l) => l.includes('"message failed') && l.includes(messageId)).length).to.be.at.least(2);
    expect(processedLogFor(messageId)).to.equal(undefined);

    const result = await redrive(sqs, { sourceQueueUrl: pipeline.dlq_url, destinationQueueUrl: pipeline.queue_url });
    expect(result).to.include({ moved: 1, failed: 0 });
    expect(await approximateDepth(sqs, pipeline.dlq_url)).to.equal(0);
    // Back in the queue, the processor picks it up again (and, still invalid, it fails again).
    const before = logs.length;
    await waitFor('the processor to receive the redriven message', () => (logs.slice(before).some((l) => l.includes('"message failed')) ? true : undefined), 30_000);
  });

  describe('storage first: what the API refuses, and why', function () {
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

    /** moto's KMS over its JSON protocol (the project has no KMS client). */
    async function kms(action: string, keyId: string): Promise<void> {
      const response = await fetch(stack.emulatorEndpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `TrentService.${action}`,
          authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0',
        },
        // moto's DisableKey takes the key id, not the ARN.
        body: JSON.stringify({ KeyId: keyId.split('/').pop() }),
      });
      expect(response.status, `${action}: ${await response.text()}`).to.equal(200);
    }

    it('keeps "__proto__" and "constructor" keys inside data all the way to the processor log', async function () {
      const response = await post('{"type":"keys","data":{"__proto__":{"x":1},"constructor":1}}');
      expect(response.status).to.equal(202);
      const { messageId } = (await response.json()) as { messageId: string };
      const line = await waitFor('the processor to log the message', () => processedLogFor(messageId), 30_000);
      const entry = JSON.parse(line.slice(line.indexOf('{'))) as { storedMessage: unknown };
      expect(JSON.stringify(entry.storedMessage)).to.equal('{"type":"keys","data":{"__proto__":{"x":1},"constructor":1}}');
    });

    it('refuses a body nested deeper than 32 levels with a 400 that says the limit, and accepts 32', async function () {
      const nested = (levels: number) => `{"type":"deep","data":${'{"a":'.repeat(levels - 1)}1${'}'.repeat(levels - 1)}}`;
      for (const body of [nested(33), `{"type":"deep","data":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`]) {
        const response = await post(body);
        const text = await response.text();
        expect(response.status, text.slice(0, 300)).to.equal(400);
        expect((JSON.parse(text) as { message: string }).message).to.match(/^Invalid request body: .*nest at most 32 levels of objects and arrays/);
      }
      expect((await post(nested(32))).status).to.equal(202);
    });

    it('refuses a body over the queue limit with a 400 that gives the limit in bytes, and takes one at the limit', async function () {
      const bodyOf = (bytes: number) => {
        const frame = '{"type":"big","data":{"pad":""}}';
        return `{"type":"big","data":{"pad":"${'x'.repeat(bytes - frame.length)}"}}`;
      };
      const tooBig = await post(bodyOf(262_091));
      const answer = (await tooBig.json()) as { message: string; maxMessageBytes: number; maxBodyBytes: number };
      expect(tooBig.status, answer.message).to.equal(400);
      expect(answer).to.include({ maxMessageBytes: 262_144, maxBodyBytes: 262_090 });
      expect(answer.message).to.include('at most 262144 bytes').and.include('Nothing was stored');
      expect((await post(bodyOf(262_090))).status).to.equal(202);
    });

    it('answers 502 "nothing was stored" while the queue key is disabled, and 202 once it is enabled again', async function () {
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: pipeline.queue_url, AttributeNames: ['KmsMasterKeyId'] }));
      const keyArn = Attributes?.KmsMasterKeyId;
      expect(keyArn, 'the queue is encrypted with the pipeline CMK').to.match(/^arn:aws:kms:/);
      await kms('DisableKey', keyArn!);
      try {
        const response = await post('{"type":"while-disabled","data":{}}');
        const answer = (await response.json()) as { message: string; retryable?: boolean };
        expect(response.status, answer.message).to.equal(502);
        expect(answer.message).to.include('KMS.DisabledException').and.include('nothing was stored').and.not.include('malformed');
        expect(answer.retryable).to.equal(true);
      } finally {
        await kms('EnableKey', keyArn!);
      }
      expect((await post('{"type":"after-enable","data":{}}')).status).to.equal(202);
    });

    it('answers 503 when SQS throttles and 502 when it fails, both saying nothing was stored', async function () {
      // The deployed API, served by a second local gateway whose "SQS" answers as told.
      let answer = { status: 403, body: '' };
      const fakeSqs = createServer((request, response) => {
        request.resume();
        request.on('end', () => response.writeHead(answer.status, { 'content-type': 'text/xml' }).end(answer.body));
      });
      await new Promise<void>((resolve) => fakeSqs.listen(0, '127.0.0.1', resolve));
      const apis = await loadRestApis(new APIGatewayClient({ endpoint: stack.emulatorEndpoint, region: 'us-east-1', credentials }));
      const gateway = await startApiServer({
        apis: apis.filter((a) => a.id === pipeline.rest_api_id),
        port: 0,
        emulatorEndpoint: `http://127.0.0.1:${(fakeSqs.address() as AddressInfo).port}`,
        invokeFunction: () => Promise.reject(new Error('no functions here')),
        log: () => {},
      });
      try {
        const endpoint = gateway.endpoints.find((e) => e.url.endsWith('/messages'))!;
        const send = () => fetch(endpoint.url, { method: 'POST', headers: { 'x-api-key': endpoint.apiKey!, 'content-type': 'application/json' }, body: '{"type":"t","data":{}}' });
        const sqsError = (code: string, message: string) =>
          `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;

        answer = { status: 403, body: sqsError('RequestThrottled', 'Request is throttled.') };
        let response = await send();
        let body = (await response.json()) as { message: string; retryable?: boolean };
        expect(response.status, body.message).to.equal(503);
        expect(body.message).to.include('throttling').and.include('nothing was stored').and.not.include('malformed');
        expect(body.retryable).to.equal(true);

        answer = { status: 400, body: sqsError('KMS.ThrottlingException', 'Rate exceeded') };
        response = await send();
        expect(response.status).to.equal(503);

        answer = { status: 400, body: sqsError('KMS.AccessDeniedException', 'The API role may not use the key.') };
        response = await send();
        body = (await response.json()) as { message: string; retryable?: boolean };
        expect(response.status, body.message).to.equal(502);
        expect(body.message).to.include('encryption key').and.include('nothing was stored');

        answer = { status: 500, body: sqsError('InternalError', 'We encountered an internal error.') };
        response = await send();
        body = (await response.json()) as { message: string };
        expect(response.status, body.message).to.equal(502);
        expect(body.message).to.include('nothing was stored');

        answer = { status: 400, body: sqsError('InvalidParameterValue', 'Invalid characters found.') };
        response = await send();
        body = (await response.json()) as { message: string };
        expect(response.status, body.message).to.equal(400);
        expect(body.message).to.include('InvalidParameterValue').and.include('nothing was stored');
      } finally {
        await gateway.stop();
        await new Promise<void>((resolve) => fakeSqs.close(() => resolve()));
      }
    });
  });
});
