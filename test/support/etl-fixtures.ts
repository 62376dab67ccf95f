import { Readable } from 'node:stream';
import type { EtlConfig } from '../../functions/etl/load-file';

export { badRow, csvOf, goodRow, HEADER } from '../../local/scenarios/etl-rows';

export const streamOf = (text: string, chunkSize = 7) =>
  Readable.from((function* () {
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  })());

/** The loader's configuration in tests and benchmarks: the deployed prefixes, a short safety margin. */
export const etlTestConfig = (queueUrl: string, overrides: Partial<EtlConfig> = {}): EtlConfig => ({
  tableName: 'orders',
  tableKeyAttributes: ['pk', 'sk'],
  ledgerTableName: 'ledger',
  queueUrl,
  incomingPrefix: 'incoming/',
  processedPrefix: 'processed/',
  supersededPrefix: 'superseded/',
  quarantinePrefix: 'quarantine/',
  reportsPrefix: 'reports/',
  safetyMarginMs: 1_000,
  writeConcurrency: 4,
  maxAttempts: 3,
  ...overrides,
});
