import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EMULATOR_CREDENTIALS } from '../emulator/moto';
import { repoRoot } from '../stack';
import { badRow, csvOf, goodRow } from './etl-rows';
import { sleep, type Scenario } from './scenario';

interface EtlSummary {
  bucket_name: string;
  table_name: string;
}

/** Two CSV uploads (the sample and 2,000 generated rows, one in 40 invalid), then each file's report. */
export const etl: Scenario = {
  pipeline: 'etl',
  sampleBodies: {},

  async demo({ emulatorEndpoint, pipeline }) {
    const { bucket_name: bucket, table_name: table } = pipeline as unknown as EtlSummary;
    const s3 = new S3Client({ endpoint: emulatorEndpoint, region: 'us-east-1', forcePathStyle: true, credentials: EMULATOR_CREDENTIALS });
    const stamp = Date.now();
    const files = {
      [`incoming/demo ${stamp} orders.csv`]: readFileSync(join(repoRoot, 'samples/etl/orders.csv'), 'utf8'),
      [`incoming/demo ${stamp} big ünïcode.csv`]: csvOf(Array.from({ length: 2000 }, (_, n) => (n % 40 === 0 ? badRow((stamp % 100000) + n) : goodRow((stamp % 100000) + n))), { crlf: true, bom: true }),
    };
    const started = Date.now();
    await Promise.all(Object.entries(files).map(([key, body]) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))));
    console.log(`\netl: uploaded ${Object.keys(files).length} CSV files to s3://${bucket}/incoming/`);
    const names = Object.keys(files).map((key) => key.slice('incoming/'.length));
    for (;;) {
      const reports = ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'reports/' }))).Contents ?? []).map((c) => c.Key!).filter((key) => names.some((n) => key.startsWith(`reports/${n}/`)));
      if (reports.length === names.length) {
        for (const key of reports) {
          const report = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString()) as Record<string, number>;
          console.log(`  ${key.split('/')[1]!.padEnd(40)} read ${String(report.read).padStart(5)}  loaded ${String(report.loaded).padStart(5)}  quarantined ${String(report.rejected).padStart(3)}  filtered ${report.filtered}`);
        }
        console.log(`  after ${((Date.now() - started) / 1000).toFixed(0)} s: rows in table ${table}, bad rows (line + reasons) under quarantine/, one report each under reports/, files moved to processed/`);
        return;
      }
      if (Date.now() - started > 60_000) {
        console.log(`  only ${reports.length} of ${names.length} files reported after 60 s: see the make local log`);
        return;
      }
      await sleep(500);
    }
  },
};
