import { expect } from 'chai';
import { schema } from '../../../functions/etl/schema';
import { headerProblems, normaliseDate, validateRow } from '../../../functions/etl/validate';
import { HEADER } from '../../support/etl-fixtures';

const row = (overrides: Record<string, string> = {}) => ({
  order_id: 'ord-1001',
  line: '1',
  customer_email: ' Alice@Example.COM ',
  sku: 'SKU-1',
  quantity: '2',
  unit_price: '19.90',
  currency: 'eur',
  order_date: '01/11/2026',
  gift: 'yes',
  note: '',
  status: 'PAID',
  ...overrides,
});

describe('validateRow with the sample schema', function () {
  it('converts types, trims, normalises case and dates, derives the key and total', function () {
    const result = validateRow(schema, row());
    expect(result).to.deep.equal({
      kind: 'item',
      item: {
        order_id: 'ORD-1001',
        line: 1,
        customer_email: 'alice@example.com',
        sku: 'SKU-1',
        quantity: 2,
        unit_price: 19.9,
        currency: 'EUR',
        order_date: '2026-11-01',
        gift: true,
        status: 'PAID',
        total: 39.8,
        pk: 'ORDER#ORD-1001',
        sk: 'LINE#001',
      },
    });
  });

  it('reports every reason of a bad row', function () {
    const result = validateRow(schema, row({ customer_email: 'nope', quantity: '0', unit_price: 'abc', currency: 'XXX', order_date: '2026-02-30', gift: 'maybe', order_id: '' }));
    expect(result.kind).to.equal('rejected');
    const reasons = result.kind === 'rejected' ? result.reasons : [];
    expect(reasons.map((r) => r.split(':')[0])).to.deep.equal(['order_id', 'customer_email', 'quantity', 'unit_price', 'currency', 'order_date', 'gift']);
    expect(reasons).to.include('order_id: required');
  });

  it('filters test orders without rejecting them', function () {
    expect(validateRow(schema, row({ status: 'test' }))).to.deep.equal({ kind: 'filtered' });
  });

  it('rejects ranges and patterns', function () {
    expect(validateRow(schema, row({ quantity: '10001' })).kind).to.equal('rejected');
    expect(validateRow(schema, row({ order_id: 'X-1' })).kind).to.equal('rejected');
    expect(validateRow(schema, row({ line: '1.5' })).kind).to.equal('rejected');
  });

  it('normalises dates and rejects impossible ones', function () {
    expect(normaliseDate('2026-11-01')).to.equal('2026-11-01');
    expect(normaliseDate('1/2/2026')).to.equal('2026-02-01');
    expect(normaliseDate('2026-11-03T23:30:00-02:00')).to.equal('2026-11-04');
    expect(normaliseDate('2026-02-29')).to.equal(undefined);
    expect(normaliseDate('2026-11-03T10:00:00')).to.equal(undefined);
  });

  it('checks the header for required columns', function () {
    expect(headerProblems(schema, HEADER.split(','))).to.deep.equal([]);
    expect(headerProblems(schema, ['order_id', 'line'])).to.include('header: required column "customer_email" is missing');
  });

  it('reports duplicate column names (which of the two the schema means is unknowable); empty names are extra columns', function () {
    const header = [...HEADER.split(','), 'sku', '', ''];
    expect(headerProblems(schema, header)).to.deep.equal(['header: column "sku" appears 2 times (columns 4, 12)']);
  });

  it('is not fooled by prototype keys: a row without a column has no value for it, whatever its prototype', function () {
    const strict = { ...schema, columns: { constructor: { type: 'string' as const, required: true }, toString: { type: 'string' as const } }, key: () => ({ pk: 'k' }), filter: undefined, derive: undefined };
    expect(validateRow(strict, {})).to.deep.equal({ kind: 'rejected', reasons: ['constructor: required'] });
    expect(validateRow(strict, Object.assign(Object.create(null) as Record<string, string>, { constructor: 'x' }))).to.deep.equal({ kind: 'item', item: { constructor: 'x', pk: 'k' } });
  });

  it('keeps a column named __proto__ as an attribute', function () {
    const proto = { ...schema, columns: { ['__proto__']: { type: 'string' as const, required: true } }, key: () => ({ pk: 'k' }), filter: undefined, derive: undefined };
    const row = Object.create(null) as Record<string, string>;
    row['__proto__'] = 'kept';
    const result = validateRow(proto, row);
    expect(result.kind).to.equal('item');
    const item = result.kind === 'item' ? result.item : {};
    expect(Object.getOwnPropertyDescriptor(item, '__proto__')?.value).to.equal('kept');
    expect(Object.getPrototypeOf(item)).to.equal(Object.prototype);
  });
});
