import { expect } from 'chai';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { useMoto } from '../support/moto';

/** moto checks that a function's role exists; the project has no IAM client, and moto takes the query API unsigned. */
async function createLambdaRole(name: string): Promise<string> {
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  const response = await fetch(process.env.AWS_ENDPOINT_URL!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' },
    body: new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: name, AssumeRolePolicyDocument: trust }).toString(),
  });
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(await response.text())?.[1];
  if (!arn) throw new Error(`CreateRole failed: HTTP ${response.status}`);
  return arn;
}

/** The emulator fixes in local/emulator/moto_shim.py that the local stack depends on (docs/local.md). */
describe('moto shim: emulator behaviour the local stack relies on', function () {
  this.timeout(60_000);
  useMoto();

  it('SetQueueAttributes changes only the attributes given: setting a redrive allow policy keeps the queue policy', async function () {
    const sqs = new SQSClient({});
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'shim-policy' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'S', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: Attributes!.QueueArn }] });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: policy } }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'allowAll' }) } }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '45' } }));
    const after = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes!;
    expect(after.Policy, 'policy kept').to.not.equal(undefined);
    expect(JSON.parse(after.Policy!)).to.deep.include({ Version: '2012-10-17' });
    expect(JSON.parse(after.RedriveAllowPolicy!)).to.deep.equal({ redrivePermission: 'allowAll' });
    expect(after.VisibilityTimeout).to.equal('45');
  });

  it('a DynamoDB stream keeps its records for readers when the table has a disabled mapping', async function () {
    const dynamodb = new DynamoDBClient({});
    const lambda = new LambdaClient({});
    const streams = new DynamoDBStreamsClient({});
    const { TableDescription } = await dynamodb.send(
      new CreateTableCommand({
        TableName: 'shim-stream',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    const { FunctionArn } = await lambda.send(
      new CreateFunctionCommand({ FunctionName: 'shim-consumer', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: await createLambdaRole('shim'), Code: { ZipFile: Buffer.from('not run') } }),
    );
    const streamArn = TableDescription!.LatestStreamArn!;
    await lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: streamArn, FunctionName: FunctionArn, StartingPosition: 'TRIM_HORIZON', Enabled: false }));

    for (const id of ['a', 'b', 'c']) await dynamodb.send(new PutItemCommand({ TableName: 'shim-stream', Item: { id: { S: id } } }));

    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const shardId = StreamDescription!.Shards![0]!.ShardId!;
    const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const { Records = [] } = await streams.send(new GetRecordsCommand({ ShardIterator }));
    expect(Records.map((r) => r.dynamodb?.Keys?.id?.S)).to.deep.equal(['a', 'b', 'c']);
    expect(new Set(Records.map((r) => r.dynamodb?.SequenceNumber)).size, 'distinct sequence numbers').to.equal(3);
  });
});
