import { join } from 'node:path';
import { expect } from 'chai';
import { SQSClient } from '@aws-sdk/client-sqs';
import { approximateDepth, redrive } from '../../functions/lib/redrive';
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
describe('storage-first end to end (terraform apply on the emulator + local runtime)', function () {
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
    expect(stack.mappings.map((m) => m.EventSourceArn)).to.have.length(1);
    expect(outputs.queue_url.endsWith(stack.mappings[0]!.EventSourceArn!.split(':')[5]!)).to.equal(true);
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
});
