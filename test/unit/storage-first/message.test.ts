import { expect } from 'chai';
import { ValidationError } from '../../../functions/lib/errors';
import { nestsDeeperThan } from '../../../functions/lib/json-depth';
import { MAX_MESSAGE_DEPTH, parseMessage } from '../../../functions/storage-first/message';

function reasonsFor(body: string): string[] {
  try {
    parseMessage(body);
  } catch (error) {
    if (error instanceof ValidationError) return error.reasons;
    throw error;
  }
  throw new Error(`expected ${body.slice(0, 80)} to be rejected`);
}

describe('parseMessage', function () {
  it('accepts a full message', function () {
    const message = parseMessage(
      JSON.stringify({ id: 'o-1', type: 'order.created', occurredAt: '2026-11-22T10:00:00Z', data: { total: 3 } }),
    );
    expect(message).to.deep.equal({ id: 'o-1', type: 'order.created', occurredAt: '2026-11-22T10:00:00Z', data: { total: 3 } });
  });

  it('accepts the minimal message and an offset timestamp', function () {
    expect(parseMessage('{"type":"ping","data":{}}').type).to.equal('ping');
    expect(parseMessage('{"type":"t","occurredAt":"2026-11-22T10:00:00+01:00","data":{}}').occurredAt).to.equal('2026-11-22T10:00:00+01:00');
  });

  const rejected: [string, string, RegExp][] = [
    ['an empty body', '', /body is empty/],
    ['a blank body', '  \n', /body is empty/],
    ['text that is not JSON', 'hello', /not valid JSON/],
    ['truncated JSON', '{"type":"a"', /not valid JSON/],
    ['a JSON array', '[1]', /body: /],
    ['a missing type', '{"data":{}}', /^type: /],
    ['an empty type', '{"type":"","data":{}}', /^type: /],
    ['a type with spaces', '{"type":"a b","data":{}}', /type may contain/],
    ['missing data', '{"type":"a"}', /^data: /],
    ['data that is not an object', '{"type":"a","data":"x"}', /^data: /],
    ['a bad timestamp', '{"type":"a","data":{},"occurredAt":"yesterday"}', /^occurredAt: /],
    ['an id over 128 characters', JSON.stringify({ id: 'x'.repeat(129), type: 'a', data: {} }), /^id: /],
    ['an unknown top-level field', '{"type":"a","data":{},"extra":1}', /extra/],
  ];
  for (const [what, body, reason] of rejected) {
    it(`rejects ${what}`, function () {
      const reasons = reasonsFor(body);
      expect(reasons.some((r) => reason.test(r)), `reasons: ${JSON.stringify(reasons)}`).to.equal(true);
    });
  }

  it('reports every reason at once', function () {
    const fields = reasonsFor('{"type":"","data":1,"occurredAt":"x"}').map((reason) => reason.split(':')[0]);
    expect(new Set(fields)).to.deep.equal(new Set(['type', 'data', 'occurredAt']));
  });

  describe('keys kept as sent', function () {
    const body = '{"type":"t","data":{"__proto__":{"x":1},"constructor":1}}';

    it('hands over "__proto__" and "constructor" inside data as own keys, with their values', function () {
      const message = parseMessage(body);
      expect(Object.keys(message.data)).to.deep.equal(['__proto__', 'constructor']);
      expect(Object.getOwnPropertyDescriptor(message.data, '__proto__')?.value).to.deep.equal({ x: 1 });
      expect(JSON.stringify(message)).to.equal(body);
    });

    it('does not let "__proto__" become the prototype of data', function () {
      const message = parseMessage(body);
      expect(Object.getPrototypeOf(message.data)).to.equal(Object.prototype);
      expect((message.data as { x?: unknown }).x).to.equal(undefined);
    });

    it('still refuses "__proto__" as an unknown top-level field', function () {
      expect(reasonsFor('{"type":"t","data":{},"__proto__":{"type":"x"}}').join(' ')).to.match(/__proto__/);
    });
  });

  describe('nesting depth', function () {
    // data is level 2; each {"a": opens one more level.
    const nested = (levels: number) => `{"type":"t","data":${'{"a":'.repeat(levels - 1)}1${'}'.repeat(levels - 1)}}`;

    it(`accepts a body nested exactly ${MAX_MESSAGE_DEPTH} levels (the body itself is level 1)`, function () {
      expect(parseMessage(nested(MAX_MESSAGE_DEPTH)).type).to.equal('t');
    });

    it(`refuses ${MAX_MESSAGE_DEPTH + 1} levels with the limit in the reason`, function () {
      expect(reasonsFor(nested(MAX_MESSAGE_DEPTH + 1))).to.deep.equal([
        `body: nested more than ${MAX_MESSAGE_DEPTH} levels of objects and arrays (the body itself is level 1)`,
      ]);
    });

    it('refuses 100,000 levels of arrays with a ValidationError, not a stack overflow', function () {
      const body = `{"type":"t","data":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
      expect(reasonsFor(body)[0]).to.match(/nested more than 32 levels|nested too deeply to parse/);
    });

    it('counts arrays and objects alike, and scalars not at all', function () {
      expect(nestsDeeperThan('x', 0)).to.equal(false);
      expect(nestsDeeperThan([], 1)).to.equal(false);
      expect(nestsDeeperThan([[]], 1)).to.equal(true);
      expect(nestsDeeperThan({ a: [{ b: 1 }] }, 3)).to.equal(false);
      expect(nestsDeeperThan({ a: [{ b: {} }] }, 3)).to.equal(true);
    });
  });
});
