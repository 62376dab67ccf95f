import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { CreateArchiveCommand, CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { CreateDeliveryStreamCommand, FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateFunctionCommand, LambdaClient, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { freePort, motoPython } from '../../local/emulator/moto';
import { startLocalEventBridge, systemClock, type BusEvent, type Clock, type LocalEventBridge } from '../../local/eventbridge/index';
import { SHIM_OUTBOX_QUEUE } from '../../local/eventbridge/outbox';
import { matchesEventPattern, parseEventPattern } from '../../local/eventbridge/pattern';
import { startLocalFirehose } from '../../local/firehose/index';
import { createFunctionRunner, type FunctionRunner, type InvokeResult } from '../../local/functions/runner';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createEtlResources } from '../support/etl-moto';
import { createLambdaRole, useMoto } from '../support/moto';
import { waitFor } from '../support/wait-for';

/** Waits until `condition` holds. */
const until = (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) => waitFor(what, async () => ((await condition()) ? true : undefined), timeoutMs);

const SPEED = 600; // one emulated minute per 100 ms

/** AWS time, 600 times faster: schedules, Lambda's 1- and 2-minute retries and age limits keep their ratios. */
function timeLapse(): Clock {
  const start = Date.now();
  return {
    now: () => start + (Date.now() - start) * SPEED,
    sleep: (ms, signal) => systemClock.sleep(ms / SPEED, signal),
  };
}


/** Stands in for local/functions/runner.ts: records each invocation; functions named in `failing` throw. */
function stubRunner(failing: Set<string>) {
  const invocations: { name: string; event: unknown }[] = [];
  const runner: Pick<FunctionRunner, 'invoke'> = {
    async invoke(arn, event): Promise<InvokeResult> {
      const name = arn.split(':')[6]!;
      invocations.push({ name, event });
      return failing.has(name) ? { ok: false, errorType: 'Error', errorMessage: `${name} is broken` } : { ok: true, payload: null };
    },
  };
  return { runner, invocations, of: (name: string) => invocations.filter((i) => i.name === name).map((i) => i.event) };
}

describe('local EventBridge against moto: rules, schedules, retries and DLQs', function () {
  this.timeout(60_000);
  useMoto();
  const region = 'us-east-1';
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let lambda: LambdaClient;
  const arns: Record<string, string> = {};

  const queue = async (name: string) => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    arns[name] = Attributes!.QueueArn!;
    return QueueUrl!;
  };
  const receiveAll = async (name: string): Promise<Message[]> => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }));
    return Messages;
  };

  before(async function () {
    events = new EventBridgeClient({ region });
    sqs = new SQSClient({ region });
    lambda = new LambdaClient({ region });
    const role = await createLambdaRole('local-eventbridge');
    for (const name of ['sweeper', 'consumer', 'broken']) {
      const { FunctionArn } = await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: role, Code: { ZipFile: Buffer.from('run by the stub runner') } }));
      arns[name] = FunctionArn!;
    }
    for (const name of ['sweep-target-dlq', 'order-target-dlq', 'broken-failures']) await queue(name);
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'broken', MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600, DestinationConfig: { OnFailure: { Destination: arns['broken-failures'] } } }));

    // What infra/pipelines/etl applies for the sweeper: a schedule with a retry policy.
    await events.send(new PutRuleCommand({ Name: 'sweep', ScheduleExpression: 'rate(1 minute)' }));
    await events.send(new PutTargetsCommand({ Rule: 'sweep', Targets: [{ Id: 'sweeper', Arn: arns.sweeper, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: arns['sweep-target-dlq'] } }] }));
    // Once a year (14.6 h at the test's speed): it fires only when the test says so.
    await events.send(new PutRuleCommand({ Name: 'yearly-broken', ScheduleExpression: 'cron(0 12 1 JAN ? *)' }));
    await events.send(new PutTargetsCommand({ Rule: 'yearly-broken', Targets: [{ Id: 'broken', Arn: arns.broken }] }));
    await events.send(new PutRuleCommand({ Name: 'disabled', ScheduleExpression: 'rate(1 minute)', State: 'DISABLED' }));
    await events.send(new PutTargetsCommand({ Rule: 'disabled', Targets: [{ Id: 'consumer', Arn: arns.consumer }] }));

    // A custom bus with a pattern rule: a transformed input to a Lambda target, and a target whose function does not exist.
    await events.send(new CreateEventBusCommand({ Name: 'orders' }));
    await events.send(
      new PutRuleCommand({
        Name: 'big-orders',
        EventBusName: 'orders',
        EventPattern: JSON.stringify({ source: ['shop.orders'], 'detail-type': ['OrderPlaced'], detail: { total: [{ numeric: ['>', 100] }], channel: [{ 'anything-but': 'test' }] } }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'big-orders',
        EventBusName: 'orders',
        Targets: [
          {
            Id: 'consumer',
            Arn: arns.consumer,
            InputTransformer: { InputPathsMap: { id: '$.detail.orderId', total: '$.detail.total' }, InputTemplate: '{"orderId": <id>, "total": <total>, "rule": "<aws.events.rule-name>"}' },
          },
          { Id: 'gone', Arn: arns.consumer!.replace('consumer', 'gone'), DeadLetterConfig: { Arn: arns['order-target-dlq'] } },
        ],
      }),
    );
  });

  let bridge: LocalEventBridge;
  let controller: AbortController;
  let stub: ReturnType<typeof stubRunner>;
  const logs: string[] = [];

  beforeEach(async function () {
    controller = new AbortController();
    stub = stubRunner(new Set(['broken']));
    bridge = await startLocalEventBridge({ endpoint: process.env.AWS_ENDPOINT_URL!, region, runner: stub.runner, signal: controller.signal, log: (l) => logs.push(l), clock: timeLapse() });
  });
  afterEach(async function () {
    controller.abort();
    await bridge.done;
  });

  it('discovers every rule on every bus with its targets from the emulator', function () {
    const summary = bridge.rules.map((r) => `${r.busName}/${r.name} ${r.enabled ? 'on' : 'off'} ${r.schedule?.expression ?? 'pattern'} -> ${r.targets.map((t) => t.Id).join(',')}`).sort();
    expect(summary).to.deep.equal([
      'default/disabled off rate(1 minute) -> consumer',
      'default/sweep on rate(1 minute) -> sweeper',
      'default/yearly-broken on cron(0 12 1 JAN ? *) -> broken',
      'orders/big-orders on pattern -> consumer,gone',
    ]);
  });

  it('runs the sweeper on its schedule with the Scheduled Event shape; a disabled rule never fires', async function () {
    await until('two sweeps', () => stub.of('sweeper').length >= 2);
    const event = stub.of('sweeper')[0] as BusEvent;
    expect(event).to.deep.include({ version: '0', source: 'aws.events', 'detail-type': 'Scheduled Event', account: '123456789012', region, detail: {} });
    expect(event.resources).to.deep.equal([bridge.rules.find((r) => r.name === 'sweep')!.arn]);
    expect(event.time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(stub.of('consumer')).to.deep.equal([]);
  });

  it('retries a failing scheduled function as Lambda does (2 retries) and sends the record to its on-failure destination', async function () {
    await bridge.fire('yearly-broken');
    await until('the failed invocation', () => bridge.stats.invocationsFailed === 1);
    expect(stub.of('broken')).to.have.length(3);
    const [record] = await receiveAll('broken-failures');
    const parsed = JSON.parse(record!.Body!) as { requestContext: { condition: string; approximateInvokeCount: number }; requestPayload: BusEvent; responsePayload: { errorMessage: string } };
    expect(parsed.requestContext).to.deep.include({ condition: 'RetriesExhausted', approximateInvokeCount: 3 });
    expect(parsed.requestPayload['detail-type']).to.equal('Scheduled Event');
    expect(parsed.responsePayload.errorMessage).to.equal('broken is broken');
  });

  it('stops retrying when the runtime stops, instead of retrying at once', async function () {
    await bridge.fire('yearly-broken');
    await until('the first attempt', () => stub.of('broken').length === 1);
    controller.abort();
    await bridge.done;
    expect(stub.of('broken')).to.have.length(1);
    expect(logs.join('\n')).to.include('not retried: the local runtime stopped before the retry');
  });

  it('delivers a matching event to the Lambda target through its input transformer, and a missing function to the target DLQ', async function () {
    const order = (total: number, channel: string): BusEvent => ({ version: '0', id: `o-${total}-${channel}`, 'detail-type': 'OrderPlaced', source: 'shop.orders', account: '123456789012', time: '2026-11-23T10:00:00Z', region, resources: [], detail: { orderId: `o-${total}`, total, channel } });
    expect(await bridge.deliverEvent(order(50, 'web'), 'orders')).to.deep.equal([]);
    expect(await bridge.deliverEvent(order(500, 'test'), 'orders')).to.deep.equal([]);
    expect(await bridge.deliverEvent(order(500, 'web'), 'default')).to.deep.equal([]);
    const outcomes = await bridge.deliverEvent(order(500, 'web'), 'orders');
    expect(outcomes.map((o) => o.delivered)).to.deep.equal([true, false]);
    await bridge.idle();
    expect(stub.of('consumer')).to.deep.equal([{ orderId: 'o-500', total: 500, rule: 'big-orders' }]);

    const [dead] = await receiveAll('order-target-dlq');
    expect(JSON.parse(dead!.Body!)).to.deep.include({ id: 'o-500-web' });
    const attributes = Object.fromEntries(Object.entries(dead!.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    expect(attributes).to.deep.include({ RULE_ARN: bridge.rules.find((r) => r.name === 'big-orders')!.arn, TARGET_ARN: arns.consumer!.replace('consumer', 'gone'), ERROR_CODE: 'RESOURCE_NOT_FOUND', RETRY_ATTEMPTS: '0' });
  });

  it('takes events the moto shim hands over on its queue (the contract in local/eventbridge/outbox.ts)', async function () {
    const rule = bridge.rules.find((r) => r.name === 'big-orders')!;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: SHIM_OUTBOX_QUEUE }));
    // As moto builds it: epoch-seconds time and an ingestion-time field.
    const motoEvent = { version: '0', id: 'from-shim', 'detail-type': 'OrderPlaced', source: 'shop.orders', account: '123456789012', time: 1_795_428_000, region, resources: [], detail: { orderId: 'o-shim', total: 900, channel: 'web' }, 'ingestion-time': 1_795_428_000.1 };
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ ruleArn: rule.arn, targetId: 'consumer', event: motoEvent }) }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'not a hand-off' }));
    await until('the handed-over event', () => stub.of('consumer').some((e) => (e as { orderId?: string }).orderId === 'o-shim'));
    await until('an empty hand-off queue', async () => {
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      return Attributes!.ApproximateNumberOfMessages === '0' && Attributes!.ApproximateNumberOfMessagesNotVisible === '0';
    });
    expect(logs.join('\n')).to.include('is malformed and is dropped');
  });
});

describe('local EventBridge patterns agree with moto’s matcher', function () {
  // moto's own EventPattern class (the reference the design names), run on the same pattern/event pairs.
  const cases: [object, object][] = [
    [{ source: ['a'] }, { source: 'a' }],
    [{ detail: { n: ['5'] } }, { detail: { n: 5 } }],
    [{ detail: { id: [null] } }, { detail: { id: null } }],
    [{ detail: { id: [null] } }, { detail: {} }],
    [{ resources: ['x'] }, { resources: ['y', 'x'] }],
    [{ time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' }],
    [{ d: [{ suffix: '.png' }] }, { d: 'a.PNG' }],
    [{ d: [{ 'equals-ignore-case': 'abc' }] }, { d: 'ABC' }],
    [{ d: [{ 'anything-but': ['a', 'b'] }] }, { d: 'c' }],
    [{ d: [{ 'anything-but': { prefix: 'in' } }] }, { d: 'init' }],
    [{ d: [{ 'anything-but': 'x' }] }, {}],
    [{ d: [{ numeric: ['>', 0, '<=', 5] }] }, { d: 5 }],
    [{ d: [{ numeric: ['>', 0, '<=', 5] }] }, { d: 0 }],
    [{ d: [{ numeric: ['<', 10] }] }, { d: [50, 5] }],
    [{ d: [{ cidr: '10.0.0.0/24' }] }, { d: '10.0.0.17' }],
    [{ d: [{ cidr: '10.0.0.0/24' }] }, { d: '10.0.1.17' }],
    [{ detail: { s: [{ exists: true }] } }, { detail: { s: 1 } }],
    [{ detail: { s: [{ exists: false }] } }, { detail: { t: 1 } }],
    [{ detail: { s: [{ exists: true }] } }, { detail: { s: { x: 1 } } }],
    [{ d: [{ wildcard: 'a*c' }] }, { d: 'abbbc' }],
    [{ $or: [{ a: [1] }, { b: [2] }] }, { b: 2 }],
    [{ $or: [{ a: [1] }, { b: [2] }] }, { a: 2 }],
  ];

  it('gives the same answer as moto for every pair', function () {
    const script = [
      'import json, sys',
      'from moto.events.models import EventPattern',
      'cases = json.load(sys.stdin)',
      'print(json.dumps([EventPattern(json.dumps(p), p).matches_event(e) for p, e in cases]))',
    ].join('\n');
    const moto = JSON.parse(execFileSync(motoPython(), ['-c', script], { input: JSON.stringify(cases) }).toString()) as boolean[];
    const ours = cases.map(([pattern, event]) => matchesEventPattern(parseEventPattern(JSON.stringify(pattern)), event));
    expect(ours).to.deep.equal(moto);
    expect(new Set(moto).size, 'the pairs cover both answers').to.equal(2);
  });
});

const repoRoot = join(import.meta.dirname, '../..');

/**
 * A moto server started by hand: `hooked` runs the project's shim (which installs
 * local/{eventbridge,firehose}/moto_hooks.py); otherwise plain moto, the emulator gap itself.
 */
async function startEmulator(hooked: boolean): Promise<{ endpoint: string; stop(): void }> {
  const port = await freePort();
  const launcher = hooked
    ? ['import runpy, sys', `shim = ${JSON.stringify(join(repoRoot, 'local/emulator/moto_shim.py'))}`, `sys.argv = [shim, '-H', '127.0.0.1', '-p', '${port}']`, "runpy.run_path(shim, run_name='__main__')"]
    : ['import sys', 'from moto import server', `server.main(['-H', '127.0.0.1', '-p', '${port}'])`];
  const child = spawn(motoPython(), ['-c', launcher.join('\n')], { stdio: 'ignore', detached: true });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  };
  try {
    await until('the emulator', () => fetch(`${endpoint}/moto-api/data.json`).then((r) => r.ok, () => false), 30_000);
  } catch (error) {
    stop();
    throw error;
  }
  return { endpoint, stop };
}

describe('moto hooks that hand EventBridge Lambda targets and Firehose records to the local runtime', function () {
  this.timeout(90_000);
  const region = 'us-east-1';
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

  /** A bus whose rule has an SQS target and a Lambda target; a Firehose stream with a processor into a bucket. */
  async function setUp(endpoint: string) {
    const clients = {
      events: new EventBridgeClient({ endpoint, region, credentials }),
      sqs: new SQSClient({ endpoint, region, credentials }),
      lambda: new LambdaClient({ endpoint, region, credentials }),
      s3: new S3Client({ endpoint, region, credentials, forcePathStyle: true }),
      firehose: new FirehoseClient({ endpoint, region, credentials, maxAttempts: 1 }),
    };
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = endpoint;
    const role = await createLambdaRole('hooks').finally(() => (saved === undefined ? delete process.env.AWS_ENDPOINT_URL : (process.env.AWS_ENDPOINT_URL = saved)));
    const { FunctionArn } = await clients.lambda.send(new CreateFunctionCommand({ FunctionName: 'consumer', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: role, Code: { ZipFile: Buffer.from('stub') } }));
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'audit' }));
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const { EventBusArn } = await clients.events.send(new CreateEventBusCommand({ Name: 'orders' }));
    const { ArchiveArn } = await clients.events.send(new CreateArchiveCommand({ ArchiveName: 'orders-archive', EventSourceArn: EventBusArn }));
    await clients.events.send(new PutRuleCommand({ Name: 'placed', EventBusName: 'orders', EventPattern: JSON.stringify({ 'detail-type': ['OrderPlaced'] }) }));
    await clients.events.send(
      new PutTargetsCommand({
        Rule: 'placed',
        EventBusName: 'orders',
        Targets: [
          { Id: 'audit', Arn: Attributes!.QueueArn },
          { Id: 'consumer', Arn: FunctionArn, InputPath: '$.detail' },
        ],
      }),
    );
    await clients.s3.send(new CreateBucketCommand({ Bucket: 'lake' }));
    await clients.firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'events',
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          BucketARN: 'arn:aws:s3:::lake',
          RoleARN: role,
          Prefix: 'lake/!{timestamp:yyyy}/',
          ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
          ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'Lambda', Parameters: [{ ParameterName: 'LambdaArn', ParameterValue: FunctionArn }] }] },
        },
      }),
    );
    return { ...clients, queueUrl: QueueUrl!, busArn: EventBusArn!, archiveArn: ArchiveArn! };
  }

  const putOrder = (events: EventBridgeClient) => events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'orders', Source: 'shop', DetailType: 'OrderPlaced', Detail: JSON.stringify({ orderId: 'o-1' }) }] }));
  const putRecords = (firehose: FirehoseClient) =>
    firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'events', Records: [{ Data: Buffer.from('{"a":"zoë"}') }, { Data: Buffer.from('bad') }] }));
  const objects = async (s3: S3Client) => {
    const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: 'lake' }));
    return Promise.all(Contents.map(async (c) => `${c.Key} ${await (await s3.send(new GetObjectCommand({ Bucket: 'lake', Key: c.Key }))).Body!.transformToString()}`));
  };

  for (const [what, hooked] of [['plain moto', false], ['moto with the hooks but no runtime listening', true]] as const) {
    it(`${what}: PutEvents fails whole when a rule has a Lambda target; Firehose writes raw records under the literal prefix`, async function () {
      const emulator = await startEmulator(hooked);
      try {
        const clients = await setUp(emulator.endpoint);
        const error = await putOrder(clients.events).then(() => undefined, (e: { $metadata?: { httpStatusCode?: number } }) => e);
        expect(error?.$metadata?.httpStatusCode).to.equal(500);
        await putRecords(clients.firehose);
        const written = await objects(clients.s3);
        expect(written).to.have.length(1);
        expect(written[0]).to.match(/^lake\/!\{timestamp:yyyy\}\/\d{4}\/.* \{"a":"zoë"\}bad$/);
      } finally {
        emulator.stop();
      }
    });
  }

  it('with the hooks: moto delivers the SQS target, the runtime the Lambda target, a replay too; Firehose records go through the processor to evaluated prefixes', async function () {
    const emulator = await startEmulator(true);
    const controller = new AbortController();
    const stub = stubRunner(new Set());
    // The processor of the stream: upper-cases JSON records, fails the rest.
    const runner: Pick<FunctionRunner, 'invoke'> = {
      async invoke(arn, event) {
        const records = (event as { records?: { recordId: string; data: string }[] }).records;
        if (!records) return stub.runner.invoke(arn, event);
        return {
          ok: true,
          payload: {
            records: records.map(({ recordId, data }) => {
              const text = Buffer.from(data, 'base64').toString();
              return text.startsWith('{') ? { recordId, result: 'Ok', data: Buffer.from(`${text.toUpperCase()}\n`).toString('base64') } : { recordId, result: 'ProcessingFailed', data };
            }),
          },
        };
      },
    };
    const logs: string[] = [];
    const context = { endpoint: emulator.endpoint, region, runner, signal: controller.signal, log: (l: string) => logs.push(l) };
    try {
      const clients = await setUp(emulator.endpoint);
      const bridge = await startLocalEventBridge(context);
      const firehose = await startLocalFirehose(context);
      const { FailedEntryCount } = await putOrder(clients.events);
      expect(FailedEntryCount).to.equal(0);
      await until('the Lambda target', () => stub.of('consumer').length === 1);
      expect(stub.of('consumer')).to.deep.equal([{ orderId: 'o-1' }]);
      const { Messages = [] } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: clients.queueUrl, WaitTimeSeconds: 1 }));
      expect(JSON.parse(Messages[0]!.Body!)).to.deep.include({ 'detail-type': 'OrderPlaced', detail: { orderId: 'o-1' } });

      // A replay from the archive reaches the Lambda target again (moto replays through the same rules).
      await clients.events.send(new StartReplayCommand({ ReplayName: 'again', EventSourceArn: clients.archiveArn, EventStartTime: new Date(0), EventEndTime: new Date(Date.now() + 60_000), Destination: { Arn: clients.busArn } }));
      await until('the replayed event', () => stub.of('consumer').length === 2);
      expect(stub.of('consumer')[1]).to.deep.equal({ orderId: 'o-1' });

      const { FailedPutCount } = await putRecords(clients.firehose);
      expect(FailedPutCount).to.equal(0);
      expect(await objects(clients.s3)).to.deep.equal([]);
      await until('the records handed over', () => firehose.streams.get('events')!.pending === 2);
      await firehose.flush();
      const written = (await objects(clients.s3)).map((o) => o.replace(/events-1-[-0-9]{19}-[0-9a-f-]{36}/, '<name>'));
      const year = new Date().getUTCFullYear();
      expect(written.filter((o) => o.startsWith('lake/'))).to.deep.equal([`lake/${year}/<name> {"A":"ZOË"}\n`]);
      expect(written.filter((o) => o.startsWith('errors/processing-failed/'))).to.have.length(1);
      expect(written.find((o) => o.startsWith('errors/'))).to.include(Buffer.from('bad').toString('base64'));
      controller.abort();
      await Promise.all([bridge.done, firehose.done]);
    } finally {
      controller.abort();
      emulator.stop();
    }
  });
});

describe('the ETL sweeper runs on its schedule from its built zip (the local function runner)', function () {
  this.timeout(120_000);
  useMoto();

  it('a missed upload is re-notified by the scheduled sweeper', async function () {
    const zip = join(repoRoot, 'dist/etl-sweeper.zip');
    if (!existsSync(zip)) throw new Error('dist/etl-sweeper.zip missing: run make build first');
    const region = 'us-east-1';
    const endpoint = process.env.AWS_ENDPOINT_URL!;
    const s3 = new S3Client({ region, forcePathStyle: true });
    const sqs = new SQSClient({ region });
    const lambda = new LambdaClient({ region });
    const config = await createEtlResources({ s3, dynamodb: new DynamoDBClient({ region }), sqs }, 'etl-bucket', 'etl-queue');
    // An upload whose notification never came: no ledger entry.
    await s3.send(new PutObjectCommand({ Bucket: 'etl-bucket', Key: 'incoming/missed.csv', Body: 'id\n1\n' }));
    const { FunctionArn } = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'etl-sweeper',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Timeout: 30,
        Role: await createLambdaRole('sweeper'),
        Code: { ZipFile: readFileSync(zip) },
        Environment: { Variables: { BUCKET_NAME: 'etl-bucket', LEDGER_TABLE_NAME: config.ledgerTableName, QUEUE_URL: config.queueUrl, MIN_AGE_SECONDS: '0', POWERTOOLS_LOG_LEVEL: 'SILENT' } },
      }),
    );
    const events = new EventBridgeClient({ region });
    await events.send(new PutRuleCommand({ Name: 'etl-sweep', ScheduleExpression: 'rate(15 minutes)' }));
    await events.send(new PutTargetsCommand({ Rule: 'etl-sweep', Targets: [{ Id: 'sweeper', Arn: FunctionArn, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } }] }));

    const logs: string[] = [];
    const runner = createFunctionRunner({ lambda, emulatorEndpoint: endpoint, region, artifactsDir: join(repoRoot, 'dist'), repoRoot, workDir: join(repoRoot, '.cache/test-local-eventbridge/functions'), log: (l) => logs.push(l) });
    const controller = new AbortController();
    // 15 minutes pass in 1.5 s.
    const bridge = await startLocalEventBridge({ endpoint, region, runner, signal: controller.signal, log: (l) => logs.push(l), clock: timeLapse() });
    try {
      await until('the first sweep', () => bridge.stats.invocationsSucceeded >= 1, 60_000);
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: config.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      const keys = Messages.flatMap((m) => (JSON.parse(m.Body!) as { Records: { s3: { object: { key: string } } }[] }).Records.map((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '))));
      // One re-notification per sweep so far (a later sweep may have run too): only the missed file.
      expect([...new Set(keys)], logs.join('\n')).to.deep.equal(['incoming/missed.csv']);
      expect(bridge.stats.invocationsFailed).to.equal(0);
    } finally {
      controller.abort();
      await bridge.done;
      runner.stop();
    }
  });
});
