import { expect } from 'chai';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { useMoto } from '../support/moto';

interface S3Event {
  Records?: { s3: { object: { key: string; versionId?: string; sequencer?: string } } }[];
}

describe('moto shim: S3 event notifications as AWS sends them', function () {
  this.timeout(60_000);
  useMoto();

  it('carry the versionId of the version and a sequencer that grows with each write of the key', async function () {
    const s3 = new S3Client({ forcePathStyle: true });
    const sqs = new SQSClient({});
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'shim-s3-events' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await s3.send(new CreateBucketCommand({ Bucket: 'shim-events' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'shim-events', VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'shim-events', NotificationConfiguration: { QueueConfigurations: [{ QueueArn: Attributes!.QueueArn!, Events: ['s3:ObjectCreated:*'] }] } }));
    const written = [];
    for (const body of ['one', 'two']) written.push((await s3.send(new PutObjectCommand({ Bucket: 'shim-events', Key: 'k.csv', Body: body }))).VersionId);

    const objects = [];
    for (let i = 0; i < 10 && objects.length < 2; i++) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const m of Messages) objects.push(...((JSON.parse(m.Body!) as S3Event).Records ?? []).map((r) => r.s3.object));
    }
    expect(objects.map((o) => o.versionId)).to.deep.equal(written);
    const [first, second] = objects.map((o) => o.sequencer ?? '');
    expect(first).to.match(/^[0-9A-F]+$/);
    expect(BigInt(`0x${second}`) > BigInt(`0x${first}`), 'later write, greater sequencer').to.equal(true);
  });
});
