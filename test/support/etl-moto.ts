import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EtlConfig } from '../../functions/etl/load-file';
import { etlTestConfig } from './etl-fixtures';

/**
 * What the ETL pipeline deploys, on the emulator: a versioned bucket, the data table (pk, sk), the
 * ledger (fileId) and the loader's queue. Returns the loader's configuration for them.
 */
export async function createEtlResources(clients: { s3: S3Client; dynamodb: DynamoDBClient; sqs: SQSClient }, bucket: string, queueName: string): Promise<EtlConfig> {
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await clients.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  const config = etlTestConfig((await clients.sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!);
  for (const [TableName, keys] of [[config.tableName, ['pk', 'sk']], [config.ledgerTableName, ['fileId']]] as const) {
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: keys.map((AttributeName, i) => ({ AttributeName, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
        AttributeDefinitions: keys.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      }),
    );
  }
  return config;
}
