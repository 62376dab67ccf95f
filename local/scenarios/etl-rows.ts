// Order-line CSV for the ETL pipeline's demo, also the tests' and benchmarks' sample builders.

export const HEADER = 'order_id,line,customer_email,sku,quantity,unit_price,currency,order_date,gift,note,status';

// The numbers new on every row are written with JSON.stringify (the same text as String): String() of a
// new number puts its text in V8's number-string cache, which carries it into the old generation, and
// the benchmark (bench/csv-source.ts) generates a gigabyte of these rows inside the process it measures.
const text = JSON.stringify;

/** A valid order line; n makes it unique. */
export const goodRow = (n: number) => `ORD-${text(100000 + n)},1,user${text(n)}@example.com,SKU-${n % 50},${(n % 9) + 1},${n % 100}.5,EUR,2026-11-${String((n % 28) + 1).padStart(2, '0')},no,"note, with comma",PAID`;
/** A row that fails validation three ways. */
export const badRow = (n: number) => `ORD-${text(100000 + n)},1,not-an-email,SKU-1,0,1,EUR,2026-13-01,no,,PAID`;

export function csvOf(rows: string[], { crlf = false, bom = false } = {}): string {
  const eol = crlf ? '\r\n' : '\n';
  return `${bom ? '\ufeff' : ''}${[HEADER, ...rows].join(eol)}${eol}`;
}
