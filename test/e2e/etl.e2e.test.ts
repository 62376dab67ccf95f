import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { repoRoot } from '../../local/stack';
import { waitFor } from '../support/wait-for';
import { e2eStack, emulatorClientConfig } from './stack.fixture';

interface EtlSummary {
  bucket_name: string;
  table_name: string;
}

/** The ETL pipeline on the shared local stack (stack.fixture.ts): S3 upload -> queue -> loader -> table. */
describe('etl end to end (local stack: upload -> table, quarantine, report)', function () {
  this.timeout(300_000);

  it('loads a CSV uploaded under incoming/ (key with spaces and unicode) into the table, quarantines the bad row and writes a report', async function () {
    const etl = e2eStack().pipelines.etl as unknown as EtlSummary;
    const clientConfig = emulatorClientConfig();
    const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
    const dynamodb = new DynamoDBClient(clientConfig);
    const key = 'incoming/Bestellungen Ünï +1.csv';
    await s3.send(new PutObjectCommand({ Bucket: etl.bucket_name, Key: key, Body: readFileSync(join(repoRoot, 'samples/etl/orders.csv')) }));
    const read = async (objectKey: string) => (await s3.send(new GetObjectCommand({ Bucket: etl.bucket_name, Key: objectKey }))).Body!.transformToString();
    const list = async (prefix: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: etl.bucket_name, Prefix: prefix }))).Contents ?? []).map((c) => c.Key!);

    const [reportKey] = await waitFor('the load report', async () => {
      const keys = await list('reports/Bestellungen Ünï +1.csv/');
      return keys.length > 0 ? keys : undefined;
    }, 30_000);
    const report = JSON.parse(await read(reportKey!)) as Record<string, unknown>;
    // samples/etl/orders.csv: 6 rows, one invalid in several ways, one test order filtered out.
    expect(report).to.deep.include({ read: 6, loaded: 4, rejected: 1, filtered: 1 });
    const item = await dynamodb.send(new GetItemCommand({ TableName: etl.table_name, Key: { pk: { S: 'ORDER#ORD-1002' }, sk: { S: 'LINE#001' } } }));
    expect(item.Item?.order_date?.S).to.equal('2026-11-01');
    expect(item.Item?.currency?.S).to.equal('USD');
    const [quarantineKey] = await list('quarantine/Bestellungen Ünï +1.csv/');
    expect(JSON.parse((await read(quarantineKey!)).trim())).to.deep.include({ line: 6 });
    expect(await list('processed/')).to.include('processed/Bestellungen Ünï +1.csv');
    expect(await list('incoming/')).to.deep.equal([]);
  });
});
