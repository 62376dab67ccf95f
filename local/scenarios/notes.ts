import { countWords } from '../../functions/notes/word-count';
import { signedFetch } from '../signed-fetch';
import { routeOf, sleep, type Scenario } from './scenario';

interface NoteView {
  noteId: string;
  content: string;
  wordCount: number | null;
}

/** 20 notes created, 10 edited twice, 5 retitled, 5 deleted, 3 refused; then until every count is right. */
export const notes: Scenario = {
  pipeline: 'notes',
  sampleBodies: {
    'POST /notes': { title: 'demo', content: 'Hello from the local stack' },
    'PUT /notes/{noteId}': { title: 'demo', content: 'Hello again from the local stack' },
  },

  async demo({ endpoints, stats }) {
    const endpoint = endpoints.find((e) => routeOf(e) === 'POST /notes');
    if (!endpoint) return;
    const headers = { 'content-type': 'application/json', 'x-api-key': endpoint.apiKey ?? '' };
    const call = async (method: string, path = '', body?: unknown) => {
      const response = await signedFetch(`${endpoint.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, body: response.status === 204 ? null : ((await response.json()) as NoteView) };
    };
    const texts = ['one two three', 'Grüße aus Köln', '東京と大阪', 'tabs\tand\nnew lines  too', 'สวัสดีครับ ทุกคน', "it's a well-known fact"];
    const streamStats = () => stats().then((all) => all.find((m) => m.functionName.endsWith('-forwarder')));
    const countStats = () => stats().then((all) => all.find((m) => m.functionName.endsWith('-word-count')));
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
      const current = await Promise.all([...finalContent.keys()].map((id) => call('GET', `/${id}`)));
      const right = current.filter(({ body }) => body !== null && body.wordCount === countWords(finalContent.get(body.noteId)!)).length;
      if (right === finalContent.size) {
        const stream = ((await streamStats())?.received ?? 0) - before.stream;
        const counted = ((await countStats())?.done ?? 0) - before.counted;
        console.log(`  after ${((Date.now() - started) / 1000).toFixed(1)} s: all ${right} remaining notes carry the count of their final content`);
        console.log(`  ${stream} stream records reached the forwarder (deletions filtered out at the source), ${counted} count requests processed (one per content version: 20 + 20 edits; write-backs and title edits forwarded none)`);
        return;
      }
      await sleep(500);
    }
    console.log('  counts did not settle within 60 s: see the make local log');
  },
};
