import { join } from 'node:path';
import { expect } from 'chai';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { approximateDepth, redrive } from '../../functions/lib/redrive';
import { signedFetch } from '../../local/signed-fetch';
import { repoRoot, startLocalStack, type LocalStack } from '../../local/stack';

interface StorageFirstOutputs {
  endpoint_url: string;
  queue_url: string;
  dlq_url: string;
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
