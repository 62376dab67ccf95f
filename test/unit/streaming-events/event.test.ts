import { expect } from 'chai';
import contract from '../../../functions/streaming-events/contract.json';
import { deduplicationId, MAX_EVENT_BYTES, MAX_EVENT_DEPTH, parseEventBytes, parseEventText, sortKey } from '../../../functions/streaming-events/event';
import { anEvent, utf8 } from './fixtures';

const reasonOf = (bytes: Uint8Array) => {
  const parsed = parseEventBytes(bytes);
  if (parsed.ok) throw new Error('expected the record to be refused');
  return parsed.reason;
};

describe('streaming events: parsing one record', function () {
  it('accepts a valid event and serializes it as one line, keys as given, non-ASCII text intact', function () {
    const event = anEvent({ payload: { name: 'Zoë Ångström', city: '東京', note: 'مرحبا 🎁', nested: { list: [1, 'ü'] } } });
    const pretty = JSON.stringify(event, null, 2);
    const parsed = parseEventBytes(utf8(pretty));
    expect(parsed.ok).to.equal(true);
    if (!parsed.ok) return;
    expect(parsed.body).to.equal(JSON.stringify(event));
    expect(parsed.body).not.to.include('\n');
    expect(parsed.event.payload.city).to.equal('東京');
    expect(parsed.body).not.to.include('\uFFFD');
  });

  for (const [name, bytes, offset] of [
    ['a Latin-1 byte (0xE9)', [0x7b, 0x22, 0xe9, 0x22, 0x7d], 2],
    ['a lone continuation byte', [0x7b, 0x80, 0x7d], 1],
    ['an overlong "/" (0xC0 0xAF)', [0x7b, 0xc0, 0xaf, 0x7d], 1],
    ['an encoded surrogate (0xED 0xA0 0x80)', [0x7b, 0xed, 0xa0, 0x80, 0x7d], 1],
    ['a sequence cut short at the end', [0x7b, 0x22, 0xe6, 0x9d], 2],
    ['a code point above U+10FFFF (0xF4 0x90)', [0x7b, 0xf4, 0x90, 0x80, 0x80], 1],
  ] as const) {
    it(`refuses bytes that are not UTF-8, naming the offset: ${name}`, function () {
      expect(reasonOf(Uint8Array.from(bytes))).to.equal(`record is not valid UTF-8 (first invalid byte at offset ${offset})`);
    });
  }

  it('never replaces invalid bytes: a valid event with one bad byte in its payload is refused, not "repaired"', function () {
    const good = utf8(anEvent({ payload: { name: 'Zoe' } }));
    const at = good.indexOf('Zoe') + 2;
    const bad = Buffer.concat([good.subarray(0, at), Buffer.from([0xeb]), good.subarray(at + 1)]);
    expect(reasonOf(bad)).to.match(/not valid UTF-8 .* offset \d+/);
  });

  it('refuses a byte order mark, empty records and text that is not JSON', function () {
    expect(reasonOf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(anEvent())]))).to.match(/not valid JSON/);
    expect(reasonOf(Buffer.alloc(0))).to.match(/not valid JSON/);
    expect(reasonOf(utf8('{"eventId": '))).to.match(/not valid JSON/);
  });

  it('names every field that is wrong', function () {
    const reason = reasonOf(utf8({ eventId: 'ABC', entityId: 'has space', eventType: 'order.teleported', occurredAt: '2026-11-23T10:00:00Z', payload: [] }));
    for (const field of ['eventId', 'entityId', 'eventType', 'occurredAt', 'payload']) expect(reason).to.include(`${field}:`);
  });

  it('refuses an upper-case UUID (it would be another key than its lower-case twin)', function () {
    expect(reasonOf(utf8(anEvent({ eventId: '0000000A-0000-4000-8000-000000000001' })))).to.include('eventId');
  });

  it('refuses an offset instead of Z, missing milliseconds, and dates that do not exist', function () {
    expect(reasonOf(utf8(anEvent({ occurredAt: '2026-11-23T10:00:00.123+01:00' })))).to.include('occurredAt');
    expect(reasonOf(utf8(anEvent({ occurredAt: '2026-11-23T10:00:00Z' })))).to.include('occurredAt');
    expect(reasonOf(utf8(anEvent({ occurredAt: '2026-02-30T10:00:00.000Z' })))).to.equal('occurredAt: 2026-02-30T10:00:00.000Z is not a real date and time');
    expect(reasonOf(utf8(anEvent({ occurredAt: '2026-11-23T24:00:00.000Z' })))).to.include('not a real date');
  });

  it('refuses unknown top-level keys, "__proto__" included', function () {
    const text = `{"__proto__":{"admin":true},${JSON.stringify(anEvent()).slice(1)}`;
    expect(reasonOf(utf8(text))).to.include('Unrecognized key: "__proto__"');
    expect(reasonOf(utf8({ ...anEvent(), extra: 1 }))).to.include('"extra"');
  });

  it('keeps "__proto__" and "constructor" inside the payload as own keys, in the event and its serialization', function () {
    const text = JSON.stringify(anEvent()).replace('"payload":{', '"payload":{"__proto__":{"polluted":true},"constructor":"x",');
    const parsed = parseEventText(text);
    expect(parsed.ok).to.equal(true);
    if (!parsed.ok) return;
    expect(Object.keys(parsed.event.payload)).to.include.members(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(parsed.event.payload)).to.equal(Object.prototype);
    expect(parsed.body).to.include('"__proto__":{"polluted":true}');
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it(`accepts ${MAX_EVENT_DEPTH} levels of nesting and refuses one more, without recursion`, function () {
    const nest = (levels: number) => {
      let value: unknown = 1;
      for (let i = 0; i < levels; i++) value = { a: value };
      return value as Record<string, unknown>;
    };
    // The event is level 1 and its payload level 2.
    expect(parseEventText(JSON.stringify(anEvent({ payload: nest(MAX_EVENT_DEPTH - 1) }))).ok).to.equal(true);
    expect(reasonOf(utf8(anEvent({ payload: nest(MAX_EVENT_DEPTH) })))).to.include(`more than ${MAX_EVENT_DEPTH} levels`);
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(reasonOf(utf8(deep))).to.match(/nest/);
  });

  it(`accepts a serialized event of exactly ${MAX_EVENT_BYTES} bytes and refuses one byte more (bytes, not characters)`, function () {
    const shell = Buffer.byteLength(JSON.stringify(anEvent({ payload: { s: '' } })), 'utf8');
    const room = MAX_EVENT_BYTES - shell;
    // "é" is 2 bytes: a character count would let this through.
    const exact = anEvent({ payload: { s: `${'é'.repeat(Math.floor(room / 2))}${room % 2 ? 'x' : ''}` } });
    expect(Buffer.byteLength(JSON.stringify(exact))).to.equal(MAX_EVENT_BYTES);
    expect(parseEventText(JSON.stringify(exact)).ok).to.equal(true);
    const over = anEvent({ payload: { s: `${(exact.payload.s as string)}x` } });
    expect(reasonOf(utf8(over))).to.equal(`event is ${MAX_EVENT_BYTES + 1} bytes serialized, over the limit of ${MAX_EVENT_BYTES}`);
  });

  it('escapes U+FFFE and U+FFFF (SQS refuses them raw) and keeps the same document', function () {
    const event = anEvent({ payload: { s: 'a\uFFFEb\uFFFF' } });
    const parsed = parseEventText(JSON.stringify(event));
    expect(parsed.ok).to.equal(true);
    if (!parsed.ok) return;
    expect(parsed.body).not.to.match(/[\uFFFE\uFFFF]/);
    expect(parsed.body).to.include('a\\ufffeb\\uffff');
    expect(JSON.parse(parsed.body)).to.deep.equal(event);
  });

  it('gives two events of one entity in the same millisecond different sort keys', function () {
    const a = anEvent();
    const b = anEvent();
    expect(a.occurredAt).to.equal(b.occurredAt);
    expect(sortKey(a)).not.to.equal(sortKey(b));
    expect(sortKey(a)).to.equal(`${a.occurredAt}#${a.eventId}`);
    expect(contract.table.sortKeyFormat).to.equal('<occurredAt>#<eventId>');
  });

  it('sort keys sort in time order', function () {
    const times = ['2026-11-23T10:00:00.999Z', '2026-11-23T10:00:01.000Z', '2026-11-23T09:59:59.000Z'];
    const keys = times.map((occurredAt) => sortKey(anEvent({ occurredAt })));
    expect([...keys].sort()).to.deep.equal([keys[2], keys[0], keys[1]]);
  });

  it('derives the deduplication id from the bytes: same bytes, same id; one byte apart, another', function () {
    const bytes = utf8(anEvent());
    expect(deduplicationId(bytes)).to.match(/^[0-9a-f]{64}$/).and.equal(deduplicationId(Buffer.from(bytes)));
    expect(deduplicationId(Buffer.concat([bytes, Buffer.from('\n')]))).not.to.equal(deduplicationId(bytes));
  });
});
