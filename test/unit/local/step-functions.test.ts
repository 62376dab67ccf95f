import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { InvokeResult } from '../../../local/functions/runner';
import { asRunLocally, taskStates, unsupportedFeatures } from '../../../local/step-functions/definition';
import { runExecution, type ExecutionToRun } from '../../../local/step-functions/execution';
import { startStateMachineRunner } from '../../../local/step-functions/index';
import type { IntegrationClients } from '../../../local/step-functions/integrations';

const fn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const retry = [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 2, JitterStrategy: 'FULL' as const }];

/** The shape of the reliable-messaging workflow, small: Parallel [lambda, putItem] -> putEvents -> lambda, caught -> salvage -> Fail. */
const definition = {
  StartAt: 'Store',
  TimeoutSeconds: 30,
  States: {
    Store: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'Archive',
          States: {
            Archive: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: fn('archive'), 'Payload.$': '$' }, ResultSelector: { 'key.$': '$.Payload.key' }, Retry: retry, End: true },
          },
        },
        {
          StartAt: 'Metadata',
          States: {
            Metadata: {
              Type: 'Task',
              Resource: 'arn:aws:states:::dynamodb:putItem',
              Parameters: { TableName: 'meta', Item: { messageId: { 'S.$': '$.messageId' } }, ConditionExpression: 'attribute_not_exists(messageId)' },
              Retry: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], MaxAttempts: 0 }, ...retry],
              Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], Next: 'AlreadyRecorded' }],
              End: true,
            },
            AlreadyRecorded: { Type: 'Pass', Result: 'already recorded', End: true },
          },
        },
      ],
      ResultPath: '$.stored',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Salvage' }],
      Next: 'Publish',
    },
    Publish: {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents',
      Parameters: { Entries: [{ EventBusName: 'bus', Source: 'test', DetailType: 'aggregate', Detail: { 'messageId.$': '$.messageId', 'archive.$': '$.stored[0].key' } }] },
      ResultPath: null,
      Retry: retry,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Salvage' }],
      Next: 'Cleanup',
    },
    Cleanup: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: fn('cleanup'), Payload: { 'messageId.$': '$.messageId', 'execution.$': '$$.Execution.Name' } }, OutputPath: '$.Payload', End: true },
    Salvage: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: fn('salvage'), 'Payload.$': '$' }, ResultPath: null, Next: 'Failed' },
    Failed: { Type: 'Fail', Error: 'MessageSalvaged', Cause: 'the message went to the salvage bucket' },
  },
} as unknown as StateMachineDefinition;

const execution: ExecutionToRun = {
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:wf:m-1',
  name: 'm-1',
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:wf',
  stateMachineName: 'wf',
  input: { messageId: 'm-1' },
  startDate: new Date(),
};

type Behaviour = (event: unknown) => InvokeResult;

describe('local Step Functions runtime', function () {
  // mockClient patches every instance of the class, from the moment it runs until restore(): only
  // while these tests run, not from when mocha loads this file.
  const mockServices = () => ({ dynamodb: mockClient(DynamoDBClient), eventbridge: mockClient(EventBridgeClient) });
  let dynamodb: ReturnType<typeof mockServices>['dynamodb'];
  let eventbridge: ReturnType<typeof mockServices>['eventbridge'];
  before(function () {
    ({ dynamodb, eventbridge } = mockServices());
  });
  let calls: { name: string; event: unknown }[];
  let behaviours: Record<string, Behaviour>;
  const clients = (): IntegrationClients => ({
    invokeFunction: async (arn, event) => {
      const name = arn.split(':')[6]!;
      calls.push({ name, event });
      return (behaviours[name] ?? (() => ({ ok: true, payload: { done: name } })))(event);
    },
    dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
    eventbridge: new EventBridgeClient({ region: 'us-east-1' }),
  });
  const run = (def = definition) => runExecution(def, execution, { clients: clients(), retryIntervalMs: 0 });

  after(function () {
    dynamodb.restore();
    eventbridge.restore();
  });

  beforeEach(function () {
    calls = [];
    behaviours = { archive: () => ({ ok: true, payload: { key: 'archive/m-1' } }) };
    dynamodb.reset();
    eventbridge.reset();
    dynamodb.on(PutItemCommand).resolves({});
    eventbridge.on(PutEventsCommand).resolves({ Entries: [{ EventId: 'e-1' }], FailedEntryCount: 0 });
  });

  it('runs the happy path: both branches, the aggregate event with the Lambda output, cleanup; lambda:invoke answers {Payload, StatusCode}', async function () {
    const record = await run();
    expect(record.status, record.cause).to.equal('SUCCEEDED');
    expect(record.output).to.deep.equal({ done: 'cleanup' });
    expect(calls.map((c) => c.name)).to.deep.equal(['archive', 'cleanup']);
    expect(calls[1]!.event).to.deep.equal({ messageId: 'm-1', execution: 'm-1' });
    const put = dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(put).to.deep.equal({ TableName: 'meta', Item: { messageId: { S: 'm-1' } }, ConditionExpression: 'attribute_not_exists(messageId)' });
    const entry = eventbridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(JSON.parse(entry.Detail!)).to.deep.equal({ messageId: 'm-1', archive: 'archive/m-1' });
    expect(record.retries).to.equal(0);
  });

  it("retries a function error under its own error name (the thrown error's name) and succeeds", async function () {
    let attempts = 0;
    behaviours.archive = () => (++attempts < 2 ? { ok: false, errorType: 'RedisUnavailable', errorMessage: 'connect ECONNREFUSED' } : { ok: true, payload: { key: 'archive/m-1' } });
    const onlyNamed = JSON.parse(JSON.stringify(definition)) as { States: { Store: { Branches: { States: { Archive: { Retry: unknown } } }[] } } };
    onlyNamed.States.Store.Branches[0]!.States.Archive.Retry = [{ ErrorEquals: ['RedisUnavailable'], MaxAttempts: 3 }];
    const record = await run(onlyNamed as unknown as StateMachineDefinition);
    expect(record.status, record.cause).to.equal('SUCCEEDED');
    expect(attempts).to.equal(2);
    expect(record.retries).to.equal(1);
  });

  it('names DynamoDB errors as Step Functions does, so a ConditionalCheckFailed is caught as done', async function () {
    dynamodb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } }));
    const record = await run();
    expect(record.status, record.cause).to.equal('SUCCEEDED');
    expect(record.caught).to.equal(1);
    expect(dynamodb.commandCalls(PutItemCommand)).to.have.length(1); // MaxAttempts 0: not retried
  });

  it('catches a permanent failure after its retries: salvage gets the error, the execution FAILS with the Fail state error', async function () {
    behaviours.archive = () => ({ ok: false, errorType: 'Error', errorMessage: 'S3 refused' });
    const record = await run();
    expect(record.status).to.equal('FAILED');
    expect(record.error).to.equal('MessageSalvaged');
    expect(calls.filter((c) => c.name === 'archive')).to.have.length(3); // 1 + MaxAttempts 2
    const salvage = calls.find((c) => c.name === 'salvage')!.event as { error: { Error: string; Cause: string } };
    expect(salvage.error.Error).to.equal('Error');
    expect(JSON.parse(salvage.error.Cause)).to.include({ errorType: 'Error', errorMessage: 'S3 refused' });
  });

  it('reports a timed-out or crashed function as Lambda.Unknown', async function () {
    behaviours.archive = () => ({ ok: false, errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 3 seconds' });
    const record = await run();
    const salvage = calls.find((c) => c.name === 'salvage')!.event as { error: { Error: string } };
    expect(salvage.error.Error).to.equal('Lambda.Unknown');
    expect(record.status).to.equal('FAILED');
  });

  it('fails a putEvents with a failed entry as EventBridge.FailedEntry (caught, salvaged)', async function () {
    eventbridge.on(PutEventsCommand).resolves({ Entries: [{ ErrorCode: 'InternalFailure' }], FailedEntryCount: 1 });
    const record = await run();
    const salvage = calls.find((c) => c.name === 'salvage')!.event as { error: { Error: string } };
    expect(salvage.error.Error).to.equal('EventBridge.FailedEntry');
    expect(eventbridge.commandCalls(PutEventsCommand)).to.have.length(3);
    expect(record.status).to.equal('FAILED');
  });

  it('ends the execution with States.DataLimitExceeded when a task result passes 256 KiB: no Retry or States.ALL catch sees it', async function () {
    behaviours.archive = () => ({ ok: true, payload: { key: 'x'.repeat(300_000) } });
    const record = await run();
    expect(record.status).to.equal('FAILED');
    expect(record.error).to.equal('States.DataLimitExceeded');
    expect(calls.map((c) => c.name)).to.deep.equal(['archive']);
  });

  it('ends TIMED_OUT after the definition TimeoutSeconds', async function () {
    behaviours.archive = () => ({ ok: true, payload: {} });
    const slow = { ...definition, TimeoutSeconds: 1 } as StateMachineDefinition;
    // The function is still running when the execution times out; it ends later, as an invocation
    // does at its own timeout (until then the interpreter's task timer keeps the process alive).
    const running: (() => void)[] = [];
    let timedOut = false;
    const invokeFunction = () =>
      new Promise<never>((_, reject) => {
        const end = () => reject(new Error('Task timed out after 3.00 seconds'));
        if (timedOut) end();
        else running.push(end);
      });
    const record = await runExecution(slow, execution, { clients: { ...clients(), invokeFunction }, retryIntervalMs: 0 });
    timedOut = true;
    for (const end of running) end();
    expect(record.status).to.equal('TIMED_OUT');
  });

  it('lists Task states in branches, defaults an unset Task timeout past the interpreter 60 s, refuses JSONata and Assign', function () {
    expect(taskStates(definition).map((t) => t.name)).to.have.members(['Archive', 'Metadata', 'Publish', 'Cleanup', 'Salvage']);
    const local = asRunLocally(definition) as unknown as { States: { Publish: { TimeoutSeconds: number } } };
    expect(local.States.Publish.TimeoutSeconds).to.be.greaterThan(60).and.lessThan(2 ** 31 / 1000);
    expect(unsupportedFeatures(definition)).to.deep.equal([]);
    const jsonata = { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Assign: { x: 1 }, End: true } } } as unknown as StateMachineDefinition;
    expect(unsupportedFeatures(jsonata)).to.deep.equal(['QueryLanguage JSONata', 'A: Assign']);
  });

  describe('the poller', function () {
    const mockSfn = () => mockClient(SFNClient);
    let sfn: ReturnType<typeof mockSfn>;
    before(() => (sfn = mockSfn()));
    after(() => sfn.restore());
    beforeEach(function () {
      sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ stateMachineArn: execution.stateMachineArn, name: 'wf', type: 'STANDARD', creationDate: new Date() }] });
      // The emulator keeps every execution RUNNING: the same one comes back on every poll.
      sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: execution.executionArn, stateMachineArn: execution.stateMachineArn, name: 'm-1', status: 'RUNNING', startDate: new Date() }] });
      sfn.on(DescribeExecutionCommand).resolves({ executionArn: execution.executionArn, name: 'm-1', input: JSON.stringify({ messageId: 'm-1' }), startDate: new Date() });
      sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::123456789012:role/wf' });
    });

    it('runs each RUNNING execution once, with the definition the emulator holds for it, and counts how it ended', async function () {
      const controller = new AbortController();
      const lines: string[] = [];
      const runner = startStateMachineRunner({ sfn: new SFNClient({ region: 'us-east-1' }), clients: clients(), signal: controller.signal, log: (l) => lines.push(l), pollIntervalMs: 10, retryIntervalMs: 0 });
      for (let i = 0; i < 200 && runner.records.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50)); // several more polls
      controller.abort();
      await runner.done;
      expect(runner.records.map((r) => [r.name, r.status])).to.deep.equal([['m-1', 'SUCCEEDED']]);
      expect(sfn.commandCalls(ListExecutionsCommand).length).to.be.greaterThan(2);
      expect(sfn.commandCalls(ListExecutionsCommand)[0]!.args[0].input.statusFilter).to.equal('RUNNING');
      expect(runner.stats).to.deep.equal([{ stateMachineArn: execution.stateMachineArn, name: 'wf', started: 1, running: 0, succeeded: 1, failed: 0, timedOut: 0, aborted: 0, retries: 0, caught: 0 }]);
      expect(calls.filter((c) => c.name === 'archive')).to.have.length(1);
      expect(lines.some((l) => /execution m-1 SUCCEEDED/.test(l))).to.equal(true);
    });
  });
});
