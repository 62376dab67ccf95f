import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, FirehoseClient, StartDeliveryStreamEncryptionCommand } from '@aws-sdk/client-firehose';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createLambdaRole, useMoto } from '../support/moto';

const zip = readFileSync('infra/pipelines/streaming-events/tests/fixture-handler.zip');

/**
 * What the AWS provider reads back from the streaming-events pipeline (local/emulator/moto_shim.py,
 * docs/local.md): without these fixes a second plan of the applied stack wanted to change every
 * function and every queue with a dead-letter queue.
 */
describe('moto shim: the streaming-events Terraform read back as AWS answers', function () {
  this.timeout(60_000);
  useMoto();

  it('keeps a function\'s logging configuration and reports the defaults when none was given', async function () {
    const lambda = new LambdaClient({});
    const Role = await createLambdaRole('shim-logging');
    const base = { Runtime: 'nodejs22.x' as const, Handler: 'index.handler', Role, Code: { ZipFile: zip } };
    await lambda.send(new CreateFunctionCommand({ ...base, FunctionName: 'shim-json-logs', LoggingConfig: { LogFormat: 'JSON', LogGroup: '/aws/lambda/shim-json-logs' } }));
    await lambda.send(new CreateFunctionCommand({ ...base, FunctionName: 'shim-default-logs' }));

    const logging = async (FunctionName: string) => (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName }))).LoggingConfig;
    expect(await logging('shim-json-logs')).to.deep.equal({ LogFormat: 'JSON', LogGroup: '/aws/lambda/shim-json-logs' });
    expect(await logging('shim-default-logs')).to.deep.equal({ LogFormat: 'Text', LogGroup: '/aws/lambda/shim-default-logs' });

    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'shim-default-logs', LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'WARN' } }));
    expect(await logging('shim-default-logs')).to.deep.equal({ LogFormat: 'JSON', LogGroup: '/aws/lambda/shim-default-logs', ApplicationLogLevel: 'WARN' });
  });

  it('returns a redrive policy as compact JSON, as AWS does', async function () {
    const sqs = new SQSClient({});
    const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'shim-redrive-dlq.fifo', Attributes: { FifoQueue: 'true' } }));
    const { Attributes: dlq } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    const RedrivePolicy = `{"deadLetterTargetArn":"${dlq!.QueueArn}","maxReceiveCount":2}`;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'shim-redrive.fifo', Attributes: { FifoQueue: 'true', RedrivePolicy } }));

    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy'] }));
    expect(Attributes?.RedrivePolicy).to.equal(RedrivePolicy);
  });

  // No patch: what the kinesis module relies on moto doing already. The provider creates the stream, then
  // starts its encryption with the CMK, and reads the processor's parameters back.
  it('describes a delivery stream with its CMK encryption and processor parameters', async function () {
    const firehose = new FirehoseClient({});
    const lambdaArn = 'arn:aws:lambda:us-east-1:123456789012:function:shim-transformer';
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'shim-stream',
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          RoleARN: 'arn:aws:iam::123456789012:role/shim-firehose',
          BucketARN: 'arn:aws:s3:::shim-lake',
          Prefix: 'events/year=!{timestamp:yyyy}/',
          ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
          ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'Lambda', Parameters: [{ ParameterName: 'LambdaArn', ParameterValue: lambdaArn }, { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '1' }] }] },
        },
      }),
    );
    await firehose.send(
      new StartDeliveryStreamEncryptionCommand({ DeliveryStreamName: 'shim-stream', DeliveryStreamEncryptionConfigurationInput: { KeyType: 'CUSTOMER_MANAGED_CMK', KeyARN: 'arn:aws:kms:us-east-1:123456789012:key/shim' } }),
    );
    const { DeliveryStreamDescription } = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'shim-stream' }));
    expect(DeliveryStreamDescription?.DeliveryStreamEncryptionConfiguration).to.include({ KeyType: 'CUSTOMER_MANAGED_CMK', KeyARN: 'arn:aws:kms:us-east-1:123456789012:key/shim', Status: 'ENABLED' });
    const s3 = DeliveryStreamDescription?.Destinations?.[0]?.ExtendedS3DestinationDescription;
    expect(s3?.ErrorOutputPrefix).to.equal('errors/!{firehose:error-output-type}/');
    expect(s3?.ProcessingConfiguration?.Processors?.[0]?.Parameters).to.deep.equal([
      { ParameterName: 'LambdaArn', ParameterValue: lambdaArn },
      { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '1' },
    ]);
  });
});
