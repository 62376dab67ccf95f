import { expect } from 'chai';
import { CreateArchiveCommand, CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { useMoto } from '../support/moto';

/** The emulator as the local runtime starts it (local/emulator/moto_shim.py with local/eventbridge/moto_hooks.py). */
describe('moto shim: an EventBridge replay only replays the events of its time window', function () {
  this.timeout(60_000);
  useMoto();

  it('replays the archived events whose time is between EventStartTime and EventEndTime, and no others', async function () {
    const events = new EventBridgeClient({});
    const sqs = new SQSClient({});
    const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name: 'replay-window' }));
    const { ArchiveArn } = await events.send(new CreateArchiveCommand({ ArchiveName: 'replay-window', EventSourceArn: EventBusArn }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'replay-window-target' }));
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await events.send(new PutRuleCommand({ Name: 'all', EventBusName: 'replay-window', EventPattern: JSON.stringify({ source: ['test'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'all', EventBusName: 'replay-window', Targets: [{ Id: 'queue', Arn: queueArn }] }));
    const at = (iso: string) => new Date(iso);
    const put = await events.send(
      new PutEventsCommand({
        Entries: ['2026-11-20T10:00:00Z', '2026-11-21T10:00:00Z', '2026-11-22T10:00:00Z'].map((time) => ({ EventBusName: 'replay-window', Source: 'test', DetailType: 'tick', Detail: JSON.stringify({ time }), Time: at(time) })),
      }),
    );
    expect(put.FailedEntryCount).to.equal(0);

    await events.send(new StartReplayCommand({ ReplayName: 'one-day', EventSourceArn: ArchiveArn!, EventStartTime: at('2026-11-21T00:00:00Z'), EventEndTime: at('2026-11-22T00:00:00Z'), Destination: { Arn: EventBusArn! } }));

    const bodies: string[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60 }));
      if (Messages.length === 0) break;
      bodies.push(...Messages.map((m) => m.Body!));
    }
    const received = bodies.map((b) => JSON.parse(b) as { detail: { time: string }; 'replay-name'?: string });
    expect(received.filter((e) => !e['replay-name']).map((e) => e.detail.time).sort()).to.deep.equal(['2026-11-20T10:00:00Z', '2026-11-21T10:00:00Z', '2026-11-22T10:00:00Z']);
    expect(received.filter((e) => e['replay-name'] === 'one-day').map((e) => e.detail.time)).to.deep.equal(['2026-11-21T10:00:00Z']);
  });
});
