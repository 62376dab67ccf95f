import { expect } from 'chai';
import { marshall } from '@aws-sdk/util-dynamodb';
import { schema as sampleSchema } from '../../../functions/etl/schema';
import type { CsvSchema, Item } from '../../../functions/etl/schema-types';
import { compileSchema, wireItem } from '../../../functions/etl/compile-schema';
import { seededRandom } from '../../../scripts/lib/seeded-random';
import { goodRow, HEADER } from '../../support/etl-fixtures';
import { validateRow as referenceRow, type RowResult } from './reference/validate-v1';

// Texts chosen to sit on every edge the converters have: whitespace and trimming, signs, exponents,
// unsafe integers, case mappings that change length, NFC, impossible and two-digit-year dates,
// date-times with and without zones, enum casing, prototype names.
const TEXTS = [
  '', ' ', '\t', '  x ', '\u00a0y\u00a0', '\ufeffz', 'a', 'ab', 'abcdef', 'ABC', 'Straße', 'İstanbul', 'e\u0301', 'é', '日本', 'ﬀ',
  '0', '1', '-1', '+5', '++5', '-0', '007', '1e3', '1E-2', '.5', '5.', '1.5', '-.5', '1.2.3', '9007199254740991', '9007199254740993', '-9007199254740993', '1e300', '1e400', 'NaN', 'Infinity', '0x10', '１', '10000', '10001', '999', '1000000.01',
  'true', 'TRUE', 'Yes', 'y', 'N', 'no', 'false', 'maybe',
  '2026-11-01', '2024-02-29', '2023-02-29', '1900-02-29', '2000-02-29', '0099-01-01', '0100-01-01', '0000-01-01', '9999-12-31', '2026-13-01', '2026-00-10', '2026-01-32', '2026-1-01', '31/12/2026', '1/2/2026', '31/04/2026', '29/02/2024', '29/02/2023', '01/01/0099', '001/01/2026',
  '2026-11-03T23:30:00-02:00', '2026-11-03T23:30:00+0530', '2026-11-03T23:30Z', '2026-11-03T23:30:00.123456Z', '2026-11-03T10:00:00', '2026-02-30T10:00:00Z', '2026-11-03T24:00:00Z',
  'EUR', 'eur', 'Eur', 'XXX', 'alpha', 'ALPHA', 'Beta', 'paid', 'TEST', 'test',
  'a@b.c', 'A@B.CO', 'a @b.c', 'a@b', '@b.c', 'user1@example.com', 'ÄÖ@x.de',
  'ORD-1234', 'ord-12345', 'ORD-123', 'ORD-12345678901', 'SKU-1', '__proto__', 'constructor', 'toString', 'boom',
];

/** A schema with every type and option, odd names (integer-like, prototype keys) and derive/key that misbehave on cue. */
const hostileSchema = (): CsvSchema => ({
  name: 'hostile',
  columns: {
    s: { type: 'string', minLength: 2, maxLength: 5, case: 'lower', attribute: 'renamed' },
    '7': { type: 'integer' },
    g: { type: 'string', pattern: /^a/g },
    u: { type: 'string', case: 'upper', maxLength: 6 },
    e: { type: 'email', maxLength: 12 },
    i: { type: 'integer', min: -5, max: 1e16 },
    d: { type: 'decimal' },
    b: { type: 'boolean', required: true },
    dt: { type: 'date' },
    ts: { type: 'datetime' },
    en: { type: 'enum', values: ['Alpha', 'alpha', 'BETA'] },
    ['__proto__']: { type: 'string' },
    constructor: { type: 'string' as const, attribute: 'toString' },
    '1': { type: 'decimal', required: true, min: -1, max: 1 },
  },
  requiredHeaders: ['b'],
  filter: (item) => item.renamed !== 'skip',
  derive: (item) => {
    if (item.u === 'NAN') return { derived: Number.NaN };
    if (item.u === 'UNDEF') return { derived: undefined } as unknown as Item;
    if (item.u === 'NEST') return { derived: { a: [1, 'x', true] } } as unknown as Item;
    if (item.u === 'THROW') throw new Error('derive failed');
    if (item.u === 'STR') return 'ab' as unknown as Item; // spreads as { 0: 'a', 1: 'b' }
    if (item.u === 'ARR') return ['x', 7] as unknown as Item;
    if (item.u === 'NULL') return null as unknown as Item;
    if (item.u === 'PROTO') return JSON.parse('{"__proto__": "own", "renamed": 1}') as Item;
    if (item.u === 'INH') return Object.assign(Object.create({ inherited: 'no' }) as Item, { own: 'yes' });
    if (item.u === 'GET') return Object.defineProperty({ late: 1 }, 'got', { get: () => 'got', enumerable: true }) as Item;
    return { derived: Number(item.i ?? 0) * 3, renamed: `${item.renamed ?? ''}!` };
  },
  key: (item) => {
    if (item.u === 'KEYX') throw new Error('no key');
    return { pk: `P#${String(item.renamed ?? '')}`, sk: Number(item['1']) };
  },
});

const SPECIAL = ['skip', 'nan', 'undef', 'nest', 'throw', 'keyx', 'str', 'arr', 'null', 'proto', 'inh', 'get'];

/** A row as the tokenizer makes it (no prototype) or as a caller might (plain object), some columns missing. */
function randomRow(next: () => number, columns: string[], good: Record<string, string>): Record<string, string> {
  const row = (next() < 0.8 ? Object.create(null) : {}) as Record<string, string>;
  const mutation = [0, 0.03, 0.1, 0.5, 1][Math.floor(next() * 5)]!;
  for (const column of columns) {
    if (next() < mutation * 0.1) continue; // missing
    let text = next() >= mutation && good[column] !== undefined ? good[column] : TEXTS[Math.floor(next() * TEXTS.length)]!;
    if (next() < 0.04) text = SPECIAL[Math.floor(next() * SPECIAL.length)]!;
    if (next() < 0.05) text = ` ${text}\t`;
    Object.defineProperty(row, column, { value: text, enumerable: true, writable: true, configurable: true });
  }
  return row;
}

/** The result with every key in order (deep equality alone ignores order, and __proto__ needs own-key care). */
function shapeOf(result: RowResult): unknown {
  return result.kind === 'item' ? { kind: 'item', entries: Object.entries(result.item) } : result;
}

/** What the old BatchWriter sent for an item: marshall's output, or the error it threw. */
function oldWire(item: Item): unknown {
  try {
    return Object.entries(marshall(item));
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function newWire(toWire: () => unknown): unknown {
  try {
    return Object.entries(toWire() as object);
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Each side gets its own schema object: a global pattern is stateful, sharing one would interleave them. */
function compare(schema: () => CsvSchema, rows: Record<string, string>[]): Record<string, number> {
  const compiled = compileSchema(schema());
  const reference = schema();
  const seen: Record<string, number> = {};
  for (const row of rows) {
    const expected = referenceRow(reference, row);
    const actual = compiled.row(row);
    expect(shapeOf(actual), JSON.stringify(row)).to.deep.equal(shapeOf(expected));
    if (expected.kind === 'item' && actual.kind === 'item') {
      const wire = oldWire(expected.item);
      expect(newWire(() => compiled.wire(actual.item)), JSON.stringify(row)).to.deep.equal(wire);
      const outcome = typeof wire === 'object' && wire !== null && 'error' in wire ? 'marshall error' : 'item';
      seen[outcome] = (seen[outcome] ?? 0) + 1;
      for (const special of ['0', 'own', 'got', 'derived']) if (Object.hasOwn(expected.item, special)) seen[`item with ${special}`] = (seen[`item with ${special}`] ?? 0) + 1;
    } else {
      seen[expected.kind] = (seen[expected.kind] ?? 0) + 1;
    }
  }
  return seen;
}

describe('compiled schema = the declared-schema interpreter it replaces (differential, old vs new)', function () {
  this.timeout(60_000);
  it('the sample schema: generated rows (good, bad, hostile texts) give the same results, items in the same key order, the same DynamoDB wire shape', function () {
    const header = HEADER.split(',');
    const next = seededRandom(13);
    const rows: Record<string, string>[] = [];
    for (let n = 0; n < 12_000; n++) {
      const good = Object.fromEntries(goodRow(n).replace('"note, with comma"', 'a note').split(',').map((v, i) => [header[i]!, v]));
      if (n % 20 === 0) good.status = n % 40 === 0 ? 'test' : 'TEST';
      rows.push(randomRow(next, header, good));
    }
    const seen = compare(() => sampleSchema, rows);
    // The generator must reach every outcome, or the comparison proves little.
    expect(seen.item).to.be.above(1_000);
    expect(seen.rejected).to.be.above(1_000);
    expect(seen.filtered).to.be.above(10);
  });

  it('a hostile schema (every type and option, prototype and integer-like names, derive and key that throw or return what marshall refuses) gives the same results and the same wire shape or the same error', function () {
    const columns = Object.keys(hostileSchema().columns);
    const good: Record<string, string> = { s: 'abc', '7': '7', g: 'ab', u: 'xy', e: 'a@b.co', i: '3', d: '1.5', b: 'yes', dt: '2026-01-02', ts: '2026-11-03T23:30:00Z', en: 'ALPHA', ['__proto__']: 'p', constructor: 'c', '1': '0.5' };
    const next = seededRandom(42);
    const rows: Record<string, string>[] = [];
    for (let n = 0; n < 20_000; n++) rows.push(randomRow(next, columns, good));
    const seen = compare(hostileSchema, rows);
    expect(seen.item).to.be.above(100);
    expect(seen.rejected).to.be.above(1_000);
    expect(seen.filtered).to.be.above(0);
    expect(seen['marshall error']).to.be.above(0);
    // derive returned a string, an object with an inherited property, a getter: each reached an item.
    for (const special of ['0', 'own', 'got']) expect(seen[`item with ${special}`], special).to.be.above(0);
  });

  it('derive and key results named __proto__ become attributes, as spreading them made them', function () {
    const schema = (): CsvSchema => ({ name: 'p', columns: { v: { type: 'string' } }, derive: () => JSON.parse('{"__proto__": "derived"}') as Item, key: () => JSON.parse('{"__proto__": "key", "pk": "k"}') as Item });
    const compiled = compileSchema(schema());
    for (const row of [{ v: 'x' }, {}]) {
      const expected = referenceRow(schema(), row);
      const actual = compiled.row(row);
      expect(shapeOf(actual)).to.deep.equal(shapeOf(expected));
      expect(Object.getOwnPropertyDescriptor(actual.kind === 'item' ? actual.item : {}, '__proto__')?.value).to.equal('key');
      expect(newWire(() => compiled.wire(actual.kind === 'item' ? actual.item : {}))).to.deep.equal(oldWire(expected.kind === 'item' ? expected.item : {}));
    }
  });

  it('filter, derive and key that change the item they are given: the result holds what the spreads held', function () {
    const schema = (): CsvSchema => ({
      name: 'm',
      columns: { v: { type: 'string' } },
      filter: (item) => ((item.byFilter = 'kept'), true),
      derive: (item) => ((item.byDerive = 'lost'), (item.v = 'changed'), { d: 1 }),
      key: (item) => ((item.byKey = 'lost'), { pk: `${String(item.byDerive)}:${String(item.v)}` }),
    });
    const expected = referenceRow(schema(), { v: 'x' });
    expect(shapeOf(compileSchema(schema()).row({ v: 'x' }))).to.deep.equal(shapeOf(expected));
    expect(expected).to.deep.equal({ kind: 'item', item: { v: 'x', byFilter: 'kept', d: 1, pk: 'lost:changed' } });
  });

  it('a stateful (global) pattern advances exactly as before, row after row', function () {
    const schema: CsvSchema = { name: 'g', columns: { v: { type: 'string', pattern: /a/g } }, key: (item) => ({ pk: String(item.v) }) };
    const rows = ['a', 'a', 'ba', 'a', 'xa', 'a', 'aa', 'a'].map((v) => ({ v }));
    const reference = rows.map((row) => shapeOf(referenceRow(schema, row)));
    const fresh = { ...schema, columns: { v: { type: 'string' as const, pattern: /a/g } } };
    const compiled = compileSchema(fresh);
    expect(rows.map((row) => shapeOf(compiled.row(row)))).to.deep.equal(reference);
  });
});

describe('wireItem numbers = marshall numbers', function () {
  it('writes every number (fractions, exponents, -0, the smallest and the safe-integer edges) as marshall does', function () {
    const random = seededRandom(13);
    const edges = [0, -0, 1, -1, 0.5, -1.5, 0.1 + 0.2, 1e-7, 1.5e-7, 123456.789, 5e-324, 2.2250738585072014e-308, 1e21 / 1e6, 4503599627370495.5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, Number.EPSILON, 1 / 3, -2 / 3];
    const randoms = Array.from({ length: 5000 }, (_, i) => {
      const x = (random() - 0.5) * 10 ** Math.floor(random() * 30 - 15);
      return i % 3 === 0 ? Math.round(x * 100) / 100 : x;
    });
    for (const n of [...edges, ...randoms]) expect(wireItem({ n }), String(n)).to.deep.equal(marshall({ n }));
  });
});
