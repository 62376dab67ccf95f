import { SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { approximateDepth } from '../../scripts/lib/redrive';
import { signedFetch } from '../../local/signed-fetch';
import type { LocalStack } from '../../local/stack';
import { waitFor } from '../support/wait-for';
import { e2eStack, emulatorClientConfig, logs } from './stack.fixture';

interface NotesSummary {
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

/** The notes pipeline on the shared local stack (stack.fixture.ts): API -> table stream -> forwarder -> count. */
describe('notes end to end (local stack: the five routes, count, recount, no loop, 4xx)', function () {
  this.timeout(300_000);
  let stack: LocalStack;
  let sqs: SQSClient;
  let collection: string;
  let noteKey: string;
  // Notes routes are AWS_IAM: every call is signed (SigV4, the emulator's credentials) and carries the key.
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = { 'x-api-key': noteKey }, signing = {}) =>
    signedFetch(`${collection}${path}`, { method, headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) }, signing);
  const getNote = async (noteId: string) => (await (await call('GET', `/${noteId}`)).json()) as NoteView;
  const countLogsFor = (noteId: string) => logs.filter((l) => l.includes('notes-word-count') && l.includes(noteId) && /word count written|stale or duplicate/.test(l));

  before(function () {
    stack = e2eStack();
    sqs = new SQSClient(emulatorClientConfig());
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
    const pipeline = stack.pipelines.notes as unknown as NotesSummary;
    expect(await approximateDepth(sqs, pipeline.dlq_url)).to.equal(0);
    expect(await approximateDepth(sqs, pipeline.stream_failures_queue_url)).to.equal(0);
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
