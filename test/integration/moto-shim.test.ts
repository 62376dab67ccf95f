import { expect } from 'chai';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createLambdaRole, useMoto } from '../support/moto';

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

  describe('SQS SendMessage checks (storage first)', function () {
    /** moto's KMS over its JSON protocol: the project has no KMS client. */
    async function kms(action: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
      const response = await fetch(process.env.AWS_ENDPOINT_URL!, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `TrentService.${action}`,
          authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${action}: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, unknown>;
    }

    /** SendMessage over the query protocol, as API Gateway's SQS integration sends it. */
    async function querySend(queueUrl: string, body: string): Promise<{ status: number; text: string }> {
      const response = await fetch(queueUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: new URLSearchParams({ Action: 'SendMessage', MessageBody: body }).toString(),
      });
      return { status: response.status, text: await response.text() };
    }

    it('counts MaximumMessageSize in UTF-8 bytes of the body plus the message attributes, as AWS does', async function () {
      const sqs = new SQSClient({});
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'shim-size', Attributes: { MaximumMessageSize: '1024' } }));
      const refuse = async (body: string, attributes?: Record<string, { DataType: string; StringValue: string }>) => {
        const error = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageAttributes: attributes })).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(error?.message, `${Buffer.byteLength(body)} bytes`).to.match(/Message must be shorter than 1024 bytes/);
      };
      await refuse('é'.repeat(600)); // 600 characters, 1,200 bytes
      // 1,000 bytes of body + 12 + 6 + 36 bytes of attribute = 1,054
      await refuse('x'.repeat(1000), { apiRequestId: { DataType: 'String', StringValue: 'x'.repeat(36) } });
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(970), MessageAttributes: { apiRequestId: { DataType: 'String', StringValue: 'x'.repeat(36) } } }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1024) }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      expect(Attributes?.ApproximateNumberOfMessages).to.equal('2');
    });

    it('refuses messages to a queue whose KMS key is disabled (KMS.DisabledException, 400), and accepts them again once enabled', async function () {
      const sqs = new SQSClient({});
      const { KeyMetadata } = (await kms('CreateKey', {})) as { KeyMetadata: { Arn: string; KeyId: string } };
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'shim-kms', Attributes: { KmsMasterKeyId: KeyMetadata.Arn } }));
      expect((await querySend(QueueUrl!, 'before')).status).to.equal(200);

      await kms('DisableKey', { KeyId: KeyMetadata.KeyId });
      const refused = await querySend(QueueUrl!, 'while disabled');
      expect(refused.status).to.equal(400);
      expect(refused.text).to.include('<Code>KMS.DisabledException</Code>');
      const sdkError = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'while disabled' })).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(sdkError?.name).to.match(/KmsDisabled|KMS\.DisabledException/);

      await kms('EnableKey', { KeyId: KeyMetadata.KeyId });
      expect((await querySend(QueueUrl!, 'after')).status).to.equal(200);
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      expect(Attributes?.ApproximateNumberOfMessages).to.equal('2');
    });
  });
});
