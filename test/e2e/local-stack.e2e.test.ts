import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { expect } from 'chai';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { approximateDepth, redrive } from '../../scripts/lib/redrive';
import { signedFetch } from '../../local/signed-fetch';
import { loadRestApis } from '../../local/gateway/load';
import { startApiServer } from '../../local/gateway/server';
import { repoRoot, startLocalStack, type LocalStack } from '../../local/stack';

interface StorageFirstOutputs {
  endpoint_url: string;
  queue_url: string;
  dlq_url: string;
  rest_api_id: string;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The same path as `make local`: a fresh emulator, terraform apply of infra/local, the local runtime.
 * Then the storage-first API is driven over HTTP.
 */
describe('the local stack end to end (terraform apply on the emulator + local runtime)', function () {
  this.timeout(300_000);
  let stack: LocalStack;
  const logs: string[] = [];
  let sqs: SQSClient;
  let url: string;
  let apiKey: string;
  let outputs: StorageFirstOutputs;

  before(async function () {
    stack = await startLocalStack({ namePrefix: 'e2e', workDir: join(repoRoot, '.cache/e2e'), log: (line) => logs.push(line) });
    outputs = stack.outputs.storage_first as StorageFirstOutputs;
    const endpoint = stack.endpoints.find((e) => e.url.endsWith('/messages'));
    expect(endpoint, `endpoints: ${JSON.stringify(stack.endpoints)}`).to.not.equal(undefined);
    url = endpoint!.url;
    apiKey = endpoint!.apiKey!;
    sqs = new SQSClient({ endpoint: stack.emulatorEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });

  after(async function () {
    await stack?.stop();
  });

  const post = (body: string, headers: Record<string, string> = { 'x-api-key': apiKey, 'content-type': 'application/json' }) =>
    fetch(url, { method: 'POST', headers, body });

  const processedLogFor = (messageId: string) => logs.find((l) => l.includes('"message processed"') && l.includes(messageId));

  it('wires the API to the queue that the processor consumes', function () {
    const queueName = outputs.queue_url.split('/').pop();
    const mapping = stack.mappings.find((m) => m.FunctionArn?.endsWith(':e2e-storage-first-processor'));
    expect(mapping?.EventSourceArn?.split(':')[5]).to.equal(queueName);
  });

  it('delivers an accepted message to the processor, which logs it', async function () {
    const response = await post(JSON.stringify({ type: 'order.created', data: { orderId: 'o-1' } }));
    expect(response.status).to.equal(202);
    const { messageId, requestId } = (await response.json()) as { messageId: string; requestId: string };
    const line = await waitFor('the processor to log the message', () => processedLogFor(messageId), 30_000);
    expect(line).to.include(requestId).and.include('o-1');
    expect(await approximateDepth(sqs, outputs.queue_url)).to.equal(0);
  });

  it('refuses a request without the API key (403) and stores nothing', async function () {
    const response = await post('{"type":"x","data":{}}', { 'content-type': 'application/json' });
    expect(response.status).to.equal(403);
    expect(await approximateDepth(sqs, outputs.queue_url)).to.equal(0);
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

    await waitFor('the poison message in the DLQ', async () => ((await approximateDepth(sqs, outputs.dlq_url)) === 1 ? true : undefined), 120_000);
    expect(logs.filter((l) => l.includes('"message failed') && l.includes(messageId)).length).to.be.at.least(2);
    expect(processedLogFor(messageId)).to.equal(undefined);

    const result = await redrive(sqs, { sourceQueueUrl: outputs.dlq_url, destinationQueueUrl: outputs.queue_url });
    expect(result).to.include({ moved: 1, failed: 0 });
    expect(await approximateDepth(sqs, outputs.dlq_url)).to.equal(0);
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
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: outputs.queue_url, AttributeNames: ['KmsMasterKeyId'] }));
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
        apis: apis.filter((a) => a.id === outputs.rest_api_id),
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

  describe('etl', function () {
    interface EtlOutputs {
      bucket_name: string;
      table_name: string;
    }

    it('loads a CSV uploaded under incoming/ (key with spaces and unicode) into the table, quarantines the bad row and writes a report', async function () {
      const etl = stack.outputs.etl as EtlOutputs;
      const clientConfig = { endpoint: stack.emulatorEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
      const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
      const dynamodb = new DynamoDBClient(clientConfig);
      const key = 'incoming/Bestellungen Ünï +1.csv';
      await s3.send(new PutObjectCommand({ Bucket: etl.bucket_name, Key: key, Body: readFileSync(join(repoRoot, 'samples/etl/orders.csv')) }));
      const read = async (objectKey: string) => (await s3.send(new GetObjectCommand({ Bucket: etl.bucket_name, Key: objectKey }))).Body!.transformToString();
      const list = async (prefix: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: etl.bucket_name, Prefix: prefix }))).Contents ?? []).map((c) => c.Key!);

      const [reportKey] = await waitFor('the load report', async () => {
        const keys = await list('reports/Bestellungen Ünï +1.csv/');
        return keys.length > 0 ? keys : undefined;
      }, 30_000);
      const report = JSON.parse(await read(reportKey!)) as Record<string, unknown>;
      // samples/etl/orders.csv: 6 rows, one invalid in several ways, one test order filtered out.
      expect(report).to.deep.include({ read: 6, loaded: 4, rejected: 1, filtered: 1 });
      const item = await dynamodb.send(new GetItemCommand({ TableName: etl.table_name, Key: { pk: { S: 'ORDER#ORD-1002' }, sk: { S: 'LINE#001' } } }));
      expect(item.Item?.order_date?.S).to.equal('2026-11-01');
      expect(item.Item?.currency?.S).to.equal('USD');
      const [quarantineKey] = await list('quarantine/Bestellungen Ünï +1.csv/');
      expect(JSON.parse((await read(quarantineKey!)).trim())).to.deep.include({ line: 6 });
      expect(await list('processed/')).to.include('processed/Bestellungen Ünï +1.csv');
      expect(await list('incoming/')).to.deep.equal([]);
    });
  });

  describe('notes', function () {
    interface NotesOutputs {
      table_name: string;
      dlq_url: string;
      stream_failures_queue_url: string;
    }
    interface NoteView {
      noteId: string;
      version: number;
      wordCount: number | null;
      title?: string;
    }
    let collection: string;
    let noteKey: string;
    // Notes routes are AWS_IAM: every call is signed (SigV4, the emulator's credentials) and carries the key.
    const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = { 'x-api-key': noteKey }, signing = {}) =>
      signedFetch(`${collection}${path}`, { method, headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) }, signing);
    const getNote = async (noteId: string) => (await (await call('GET', `/${noteId}`)).json()) as NoteView;
    const countLogsFor = (noteId: string) => logs.filter((l) => l.includes('notes-word-count') && l.includes(noteId) && /word count written|stale or duplicate/.test(l));

    before(function () {
      const endpoint = stack.endpoints.find((e) => e.method === 'POST' && e.url.endsWith('/notes'));
      expect(endpoint, `endpoints: ${JSON.stringify(stack.endpoints)}`).to.not.equal(undefined);
      collection = endpoint!.url;
      noteKey = endpoint!.apiKey!;
    });

    it('refuses unsigned or wrongly signed requests (403) before the function runs', async function () {
      const apiFunctionLogs = () => logs.filter((l) => l.includes('"service":"e2e-notes-api"')).length;
      const before = apiFunctionLogs();
      const unsigned = await fetch(collection, { headers: { 'x-api-key': noteKey } });
      expect(unsigned.status).to.equal(403);
      expect(((await unsigned.json()) as { message: string }).message).to.match(/^Missing authentication: sign the request with SigV4/);
      const wrongSecret = await call('GET', '', undefined, { 'x-api-key': noteKey }, { secretAccessKey: 'not-the-secret' });
      expect(wrongSecret.status).to.equal(403);
      expect(((await wrongSecret.json()) as { message: string }).message).to.include('signature');
      const signed = await call('GET', '');
      expect(signed.status, 'the same request, signed').to.equal(200);
      expect(apiFunctionLogs(), 'the function ran for the signed request only').to.equal(before + 1);
    });

    it('serves the five routes, each behind the API key and a SigV4 signature', function () {
      const routes = stack.endpoints.filter((e) => e.url.includes('/notes')).map((e) => `${e.method} ${e.url.slice(e.url.indexOf('/notes'))}`);
      expect(routes.sort()).to.deep.equal(['DELETE /notes/{noteId}', 'GET /notes', 'GET /notes/{noteId}', 'POST /notes', 'PUT /notes/{noteId}']);
      expect(stack.endpoints.filter((e) => e.url.includes('/notes')).every((e) => e.apiKey && e.signed)).to.equal(true);
    });

    it('counts a new note, recounts changed content, ignores a title edit and its own write-back, and deletes', async function () {
      const created = await call('POST', '', { title: 'Groceries', content: 'eggs, milk\tand  bread\nand 東京 too' });
      expect(created.status).to.equal(201);
      const note = (await created.json()) as NoteView;
      expect(note).to.include({ version: 1, wordCount: null });

      const counted = await waitFor('the first count', async () => ((await getNote(note.noteId)).wordCount === 7 ? true : undefined), 30_000);
      expect(counted).to.equal(true);

      const updated = await call('PUT', `/${note.noteId}`, { title: 'Groceries', content: 'just one more thing' });
      expect(updated.status).to.equal(200);
      expect(((await updated.json()) as NoteView).version).to.equal(2);
      await waitFor('the recount', async () => ((await getNote(note.noteId)).wordCount === 4 ? true : undefined), 30_000);

      const retitled = await call('PUT', `/${note.noteId}`, { title: 'Shopping', content: 'just one more thing' });
      expect(((await retitled.json()) as NoteView)).to.include({ version: 2, wordCount: 4, title: 'Shopping' });

      // Let every stream record (the title edit and both write-backs included) reach the forwarder.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(countLogsFor(note.noteId), 'one count per content version: no loop, no recount for a title').to.have.length(2);

      expect((await call('DELETE', `/${note.noteId}`)).status).to.equal(204);
      expect((await call('GET', `/${note.noteId}`)).status).to.equal(404);
      const outputs = stack.outputs.notes as NotesOutputs;
      expect(await approximateDepth(sqs, outputs.dlq_url)).to.equal(0);
      expect(await approximateDepth(sqs, outputs.stream_failures_queue_url)).to.equal(0);
    });

    it('answers bad requests with clear 4xx before or in the function', async function () {
      expect((await call('POST', '', { title: 'no content' })).status, 'schema: content required').to.equal(400);
      expect((await call('POST', '', { content: 'x', extra: true })).status, 'schema: no other fields').to.equal(400);
      expect((await call('POST', '', 'not json')).status).to.equal(400);
      expect((await call('POST', '', { content: 'x' }, {})).status, 'no API key').to.equal(403);
      expect((await call('GET', '/not-a-uuid')).status).to.equal(400);
      expect((await call('GET', '/00000000-0000-4000-8000-000000000000')).status).to.equal(404);
      const body = (await (await call('PUT', '/00000000-0000-4000-8000-000000000000', { content: 'x' })).json()) as { message: string; requestId: string };
      expect(body.message).to.equal('note not found');
      expect(body.requestId).to.be.a('string');
    });
  });
});
