import { expect } from 'chai';
import { ValidationError } from '../../../functions/lib/errors';
import { parseMessage } from '../../../functions/storage-first/message';

function reasonsFor(body: string): string[] {
  try {
    parseMessage(body);
  } catch (error) {
    if (error instanceof ValidationError) return error.reasons;
    throw error;
  }
  throw new Error(`expected ${body} to be rejected`);
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
});
