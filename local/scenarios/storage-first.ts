import { SQSClient } from '@aws-sdk/client-sqs';
import { approximateDepth as depth } from '../../scripts/lib/redrive';
import { EMULATOR_CREDENTIALS } from '../emulator/moto';
import { routeOf, sleep, type Scenario } from './scenario';

interface StorageFirstSummary {
  queue_url: string;
  dlq_url: string;
}

/** 47 requests (40 good, 4 poison, 3 refused at the API), then where each accepted one ended. */
export const storageFirst: Scenario = {
  pipeline: 'storage_first',
  sampleBodies: { 'POST /messages': { type: 'demo', data: { hello: 'world' } } },

  async demo({ emulatorEndpoint, pipeline, endpoints, stats }) {
    const { queue_url: queueUrl, dlq_url: dlqUrl } = pipeline as unknown as StorageFirstSummary;
    const endpoint = endpoints.find((e) => routeOf(e) === 'POST /messages');
    if (!endpoint) return;
    const sqs = new SQSClient({ endpoint: emulatorEndpoint, region: 'us-east-1', credentials: EMULATOR_CREDENTIALS });
    const mapping = () => stats().then((all) => all.find((s) => s.source.endsWith(`:${queueUrl.split('/').pop()}`)));

    const dlqBefore = await depth(sqs, dlqUrl);
    const doneBefore = (await mapping())?.done ?? 0;
    const json = { 'content-type': 'application/json', 'x-api-key': endpoint.apiKey ?? '' };
    const requests = [
      ...Array.from({ length: 40 }, (_, n) => ({ headers: json, body: JSON.stringify({ id: `demo-${n}`, type: 'order.created', data: { n } }) })),
      ...Array.from({ length: 4 }, (_, n) => ({ headers: json, body: JSON.stringify({ id: `poison-${n}`, kind: 'no type, no data' }) })),
      { headers: json, body: 'not json' },
      { headers: json, body: '{}' },
      { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'no.key', data: {} }) },
    ];
    const started = Date.now();
    const statuses = await Promise.all(requests.map((r) => fetch(endpoint.url, { method: 'POST', ...r }).then((res) => res.status)));
    const count = (status: number) => statuses.filter((s) => s === status).length;
    const accepted = count(202);
    console.log(`storage-first: sent ${requests.length} requests -> ${accepted} accepted (202), ${count(400)} rejected as bad bodies (400), ${count(403)} without a key (403)`);

    const poison = 4;
    let last = '';
    for (;;) {
      const [processed, inDlq, inQueue] = [((await mapping())?.done ?? 0) - doneBefore, (await depth(sqs, dlqUrl)) - dlqBefore, await depth(sqs, queueUrl)];
      const line = `  after ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s: processed ${processed}, in the DLQ ${inDlq}, still in the queue (retrying) ${inQueue}`;
      if (line.slice(12) !== last) console.log(line);
      last = line.slice(12);
      if ((processed + inDlq >= accepted && inQueue === 0) || Date.now() - started > 120_000) break;
      await sleep(1000);
    }
    console.log(`  expected: ${accepted - poison} processed, ${poison} poison messages in the DLQ (after 2 attempts locally). To move them back:`);
    console.log(`  AWS_ENDPOINT_URL=${emulatorEndpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 make redrive DLQ_URL=${dlqUrl} QUEUE_URL=${queueUrl}`);
  },
};
