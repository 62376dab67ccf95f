import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { readCsv, type CsvEvent } from '../../../functions/etl/csv';

// The csv-spectrum suite (npm): each csvs/<name>.csv with the records expected in json/<name>.json.
const root = dirname(createRequire(import.meta.url).resolve('csv-spectrum/package.json'));
const names = readdirSync(join(root, 'csvs')).filter((file) => file.endsWith('.csv')).map((file) => basename(file, '.csv'));

/**
 * Upstream erratum: location_coordinates.json expects "1234567890" for the phone number, but the CSV
 * says "2095257564". The reader must return what the file says; every other field is compared as is.
 */
const errata: Record<string, { row: number; column: string; csvSays: string }[]> = {
  location_coordinates: [{ row: 0, column: 'Contact Phone Number', csvSays: '2095257564' }],
};

async function rows(bytes: Buffer, chunkSize: number): Promise<Record<string, string>[]> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const events: CsvEvent[] = [];
  for await (const event of readCsv(Readable.from(chunks))) events.push(event);
  expect(events.filter((e) => e.kind === 'invalid')).to.deep.equal([]);
  return events.map((e) => (e.kind === 'row' ? { ...e.values } : {}));
}

describe('readCsv passes the csv-spectrum suite', function () {
  it('has the suite installed', function () {
    expect(names).to.have.length.greaterThanOrEqual(12);
  });

  for (const name of names) {
    it(name, async function () {
      const csv = readFileSync(join(root, 'csvs', `${name}.csv`));
      const parsed = JSON.parse(readFileSync(join(root, 'json', `${name}.json`), 'utf8')) as Record<string, string> | Record<string, string>[];
      const expected = Array.isArray(parsed) ? parsed : [parsed];
      for (const fix of errata[name] ?? []) expected[fix.row]![fix.column] = fix.csvSays;
      for (const chunkSize of [csv.length || 1, 1, 3, 7]) expect(await rows(csv, chunkSize), `chunks of ${chunkSize} bytes`).to.deep.equal(expected);
    });
  }
});
