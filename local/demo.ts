// `make demo`: a burst of sample traffic through every pipeline of the running `make local`, then
// what arrived where.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { approximateDepth as depth } from '../scripts/lib/redrive';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { countWords } from '../functions/notes/word-count';
import { badRow, csvOf, goodRow } from '../test/support/etl-fixtures';
import { EMULATOR_CREDENTIALS } from './emulator/moto';
import type { Endpoint } from './gateway/server';
import { signedFetch } from './signed-fetch';
import type { MappingStats } from './stack';
import { repoRoot } from './stack';

interface Session {
  emulatorEndpoint: string;
  apiUrl: string;
  endpoints: Endpoint[];
  outputs: Record<string, unknown>;
}

const sessionFile = join(repoRoot, '.cache/local/session.json');

async function loadSession(): Promise<Session> {
  const missing = 'no running stack: start `make local` in another terminal, wait for "Ready", then run `make demo`';
  if (!existsSync(sessionFile)) throw new Error(missing);
  const session = JSON.parse(readFileSync(sessionFile, 'utf8')) as Session;
  try {
    await fetch(`${session.apiUrl}/_local/stats`);
  } catch {
    throw new Error(missing);
  }
  return session;
}

const stats = async (session: Session) => (await (await fetch(`${session.apiUrl}/_local/stats`)).json()) as MappingStats[];

async function storageFirst(session: Session): Promise<void> {
  const outputs = session.outputs.storage_first as { queue_url: string; dlq_url: string; queue_arn?: string } | null;
  const endpoint = session.endpoints.find((e) => e.url.endsWith('/messages'));
  if (!outputs || !endpoint) return;
  const sqs = new SQSClient({ endpoint: session.emulatorEndpoint, region: 'us-east-1', credentials: EMULATOR_CREDENTIALS });
  const mapping = () => stats(session).then((all) => all.find((s) => s.source.endsWith(`:${outputs.queue_url.split('/').pop()}`)));

  const dlqBefore = await depth(sqs, outputs.dlq_url);
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
    const [processed, inDlq, inQueue] = [((await mapping())?.done ?? 0) - doneBefore, (await depth(sqs, outputs.dlq_url)) - dlqBefore, await depth(sqs, outputs.queue_url)];
    const line = `  after ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s: processed ${processed}, in the DLQ ${inDlq}, still in the queue (retrying) ${inQueue}`;
    if (line.slice(12) !== last) console.log(line);
    last = line.slice(12);
    if ((processed + inDlq >= accepted && inQueue === 0) || Date.now() - started > 120_000) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.log(`  expected: ${accepted - poison} processed, ${poison} poison messages in the DLQ (after 2 attempts locally). To move them back:`);
  console.log(`  AWS_ENDPOINT_URL=${session.emulatorEndpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 make redrive DLQ_URL=${outputs.dlq_url} QUEUE_URL=${outputs.queue_url}`);
}

async function etl(session: Session): Promise<void> {
  const outputs = session.outputs.etl as { bucket_name: string; table_name: string } | null;
  if (!outputs) return;
  const s3 = new S3Client({ endpoint: session.emulatorEndpoint, region: 'us-east-1', forcePathStyle: true, credentials: EMULATOR_CREDENTIALS });
  const bucket = outputs.bucket_name;
  const stamp = Date.now();
  const files = {
    [`incoming/demo ${stamp} orders.csv`]: readFileSync(join(repoRoot, 'samples/etl/orders.csv'), 'utf8'),
    [`incoming/demo ${stamp} big ünïcode.csv`]: csvOf(Array.from({ length: 2000 }, (_, n) => (n % 40 === 0 ? badRow(stamp % 100000 + n) : goodRow(stamp % 100000 + n))), { crlf: true, bom: true }),
  };
  const started = Date.now();
  await Promise.all(Object.entries(files).map(([key, body]) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))));
  console.log(`\netl: uploaded ${Object.keys(files).length} CSV files to s3://${bucket}/incoming/`);
  const names = Object.keys(files).map((key) => key.slice('incoming/'.length));
  for (;;) {
    const reports = ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'reports/' }))).Contents ?? []).map((c) => c.Key!).filter((key) => names.some((n) => key.startsWith(`reports/${n}/`)));
    if (reports.length === names.length) {
      for (const key of reports) {
        const report = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString()) as Record<string, number>;
        console.log(`  ${key.split('/')[1]!.padEnd(40)} read ${String(report.read).padStart(5)}  loaded ${String(report.loaded).padStart(5)}  quarantined ${String(report.rejected).padStart(3)}  filtered ${report.filtered}`);
      }
      console.log(`  after ${((Date.now() - started) / 1000).toFixed(0)} s: rows in table ${outputs.table_name}, bad rows (line + reasons) under quarantine/, one report each under reports/, files moved to processed/`);
      return;
    }
    if (Date.now() - started > 60_000) {
      console.log(`  only ${reports.length} of ${names.length} files reported after 60 s: see the make local log`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function notes(session: Session): Promise<void> {
  const endpoint = session.endpoints.find((e) => e.method === 'POST' && e.url.endsWith('/notes'));
  if (!session.outputs.notes || !endpoint) return;
  const headers = { 'content-type': 'application/json', 'x-api-key': endpoint.apiKey ?? '' };
  const call = async (method: string, path = '', body?: unknown) => {
    const response = await signedFetch(`${endpoint.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: response.status === 204 ? null : ((await response.json()) as { noteId: string; content: string; wordCount: number | null }) };
  };
  const texts = ['one two three', 'Grüße aus Köln', '東京と大阪', 'tabs\tand\nnew lines  too', 'สวัสดีครับ ทุกคน', "it's a well-known fact"];
  const streamStats = () => stats(session).then((all) => all.find((m) => m.functionName.endsWith('-forwarder')));
  const countStats = () => stats(session).then((all) => all.find((m) => m.functionName.endsWith('-word-count')));
  const before = { stream: (await streamStats())?.received ?? 0, counted: (await countStats())?.done ?? 0 };

  const created = await Promise.all(Array.from({ length: 20 }, (_, n) => call('POST', '', { title: `note ${n}`, content: texts[n % texts.length]! })));
  const ids = created.map((c) => c.body!.noteId);
  const finalContent = new Map(created.map((c) => [c.body!.noteId, c.body!.content]));
  // Ten notes change twice in quick succession (counts may arrive out of order), five get a new
  // title only (no recount), five are deleted.
  await Promise.all(
    ids.slice(0, 10).map(async (id, n) => {
      await call('PUT', `/${id}`, { content: `first edit of ${n}` });
      const content = `second edit of note ${n}, ${texts[n % texts.length]}`;
      await call('PUT', `/${id}`, { content });
      finalContent.set(id, content);
    }),
  );
  await Promise.all(ids.slice(10, 15).map((id) => call('PUT', `/${id}`, { title: 'renamed', content: finalContent.get(id)! })));
  await Promise.all(ids.slice(15).map((id) => call('DELETE', `/${id}`)));
  ids.slice(15).forEach((id) => finalContent.delete(id));
  const refused = await Promise.all([call('POST', '', { title: 'no content' }), call('GET', '/not-a-uuid'), call('PUT', '/00000000-0000-4000-8000-000000000000', { content: 'x' })]);
  console.log(`\nnotes: 20 created, 10 edited twice, 5 retitled, 5 deleted; refused: ${refused.map((r) => r.status).join(', ')} (schema, bad id, unknown note)`);

  const started = Date.now();
  while (Date.now() - started < 60_000) {
    const notes = await Promise.all([...finalContent.keys()].map((id) => call('GET', `/${id}`)));
    const right = notes.filter((n) => n.body?.wordCount === countWords(finalContent.get(n.body.noteId)!)).length;
    if (right === finalContent.size) {
      const stream = ((await streamStats())?.received ?? 0) - before.stream;
      const counted = ((await countStats())?.done ?? 0) - before.counted;
      console.log(`  after ${((Date.now() - started) / 1000).toFixed(1)} s: all ${right} remaining notes carry the count of their final content`);
      console.log(`  ${stream} stream records reached the forwarder (deletions filtered out at the source), ${counted} count requests processed (one per content version: 20 + 20 edits; write-backs and title edits forwarded none)`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log('  counts did not settle within 60 s: see the make local log');
}

/** One scenario per pipeline; each skips itself when its pipeline is not deployed. */
const scenarios = [storageFirst, etl, notes];

try {
  const session = await loadSession();
  for (const scenario of scenarios) await scenario(session);
} catch (error) {
  console.error(`demo: ${(error as Error).message}`);
  process.exit(1);
}
