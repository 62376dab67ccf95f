import type { CsvSchema } from './schema-types';

/**
 * The sample schema: order lines exported by a shop system (samples/etl/orders*.csv).
 * Replace this file with your own schema; the engine (compile-schema.ts, validate.ts, csv.ts, load-file.ts) is generic.
 */
export const schema: CsvSchema = {
  name: 'orders',
  columns: {
    order_id: { type: 'string', required: true, pattern: /^ORD-\d{4,10}$/, case: 'upper' },
    line: { type: 'integer', required: true, min: 1, max: 999 },
    customer_email: { type: 'email', required: true, maxLength: 254 },
    sku: { type: 'string', required: true, minLength: 1, maxLength: 64 },
    quantity: { type: 'integer', required: true, min: 1, max: 10_000 },
    unit_price: { type: 'decimal', required: true, min: 0, max: 1_000_000 },
    currency: { type: 'enum', required: true, values: ['EUR', 'USD', 'GBP', 'SEK'] },
    order_date: { type: 'date', required: true },
    gift: { type: 'boolean' },
    note: { type: 'string', maxLength: 1000 },
    status: { type: 'enum', values: ['NEW', 'PAID', 'SHIPPED', 'CANCELLED', 'TEST'] },
  },
  // Test orders from the shop's staging system are not loaded.
  filter: (item) => item.status !== 'TEST',
  derive: (item) => ({ total: Math.round(Number(item.quantity) * Number(item.unit_price) * 100) / 100 }),
  key: (item) => ({ pk: `ORDER#${item.order_id}`, sk: `LINE#${String(item.line).padStart(3, '0')}` }),
};
