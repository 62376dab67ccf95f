import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import contract from '../../../functions/reliable-messaging/contract.json';
// The local runtime's executor: loading it installs the Promise.withResolvers polyfill that
// aws-local-stepfunctions needs on Node 20 (every Task state calls it).
import '../../../local/step-functions/execution';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number; JitterStrategy?: string; IntervalSeconds?: number; BackoffRate?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string | null }[];
  Branches?: { StartAt: string; States: Record<string, State> }[];
  Parameters?: Record<string, Json>;
  ResultSelector?: Record<string, Json>;
  ResultPath?: string | null;
  Default?: string;
  Choices?: { Next: string }[];
  TimeoutSeconds?: number;
  [key: string]: unknown;
}
interface Definition {
  StartAt: string;
  TimeoutSeconds: number;
  States: Record<string, State>;
  QueryLanguage?: string;
}

const validate = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => { isValid: boolean; errors: unknown[] };

const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:rm-${name}`;
const VARIABLES = {
  archive_function_arn: arn('archive'),
  cleanup_function_arn: arn('cleanup'),
  salvage_function_arn: arn('salvage'),
  metadata_table_name: 'rm-metadata',
  event_bus_name: 'rm-bus',
  timeout_seconds: String(contract.workflowTimeoutSeconds),
};

/** What Terraform's templatefile() gives with VARIABLES (the file uses only plain ${name} references). */
function render(variables: Record<string, string> = VARIABLES): string {
  const template = readFileSync('infra/pipelines/reliable-messaging/workflow.asl.json', 'utf8');
  const rendered = template.replace(/\$\{([a-z_]+)\}/g, (_, name: string) => {
    if (!(name in variables)) throw new Error(`the template uses \${${name}}, which Terraform does not pass`);
    return variables[name]!;
  });
  expect(rendered).not.to.match(/[$%]\{/); // no template syntax left (nor any Terraform would choke on)
  return rendered;
}

const definition = (): Definition => JSON.parse(render()) as Definition;

/** Every state, branches included, with the name it has. */
function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [[name, state] as [string, State], ...(state.Branches ?? []).flatMap((b) => allStates(b.States))]);
}

const nextOf = (state: State): string[] => [state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next), ...(state.Catch ?? []).map((c) => c.Next)].filter((n): n is string => n !== undefined);

describe('reliable messaging: workflow definition', function () {
  it('renders with exactly the variables Terraform passes and is valid ASL (asl-validator)', function () {
    const result = validate(definition());
    expect(result.errors).to.deep.equal([]);
    expect(result.isValid).to.equal(true);
    const used = new Set([...readFileSync('infra/pipelines/reliable-messaging/workflow.asl.json', 'utf8').matchAll(/\$\{([a-z_]+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).to.deep.equal(Object.keys(VARIABLES).sort());
  });

  it('asl-validator catches a broken transition (the check can fail)', function () {
    const broken = definition();
    broken.States.BuildAggregate!.Next = 'Nowhere';
    expect(validate(broken).isValid).to.equal(false);
  });

  it('is JSONPath only (the local interpreter ignores JSONata and Assign) and times out after the contract\'s worst case', function () {
    const text = render();
    expect(text).not.to.match(/JSONata|"Assign"|"Arguments"|"Output"/);
    expect(definition().TimeoutSeconds).to.equal(contract.workflowTimeoutSeconds);
    expect(contract.redisTtlSeconds).to.be.greaterThan(contract.workflowTimeoutSeconds);
  });

  it('retries every Task with backoff and full jitter, and never retries what cannot change', function () {
    const tasks = allStates(definition().States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([n]) => n).sort()).to.deep.equal(['Archive', 'Cleanup', 'PublishAggregate', 'RecordMetadata', 'Salvage']);
    for (const [name, task] of tasks) {
      const retrying = (task.Retry ?? []).filter((r) => (r.MaxAttempts ?? 3) > 0);
      expect(retrying, name).to.have.length.greaterThan(0);
      for (const r of retrying) {
        expect(r.JitterStrategy, name).to.equal('FULL');
        expect(r.BackoffRate, name).to.be.greaterThan(1);
        expect(r.IntervalSeconds, name).to.be.greaterThan(0);
      }
      expect(task.TimeoutSeconds, `${name} has a timeout`).to.be.a('number');
    }
    const archive = tasks.find(([n]) => n === 'Archive')![1];
    expect(archive.Retry![0]).to.deep.include({ MaxAttempts: 0 });
    expect(archive.Retry![0]!.ErrorEquals).to.include.members(['PayloadMissingError', 'ChecksumMismatchError']);
  });

  it('task retries fit the execution timeout (so a failure is caught and salvaged, never timed out)', function () {
    const d = definition();
    const worst = (name: string) => {
      const state = allStates(d.States).find(([n]) => n === name)![1];
      const retry = state.Retry!.find((r) => r.ErrorEquals.includes('States.ALL'))!;
      const attempts = (retry.MaxAttempts ?? 3) + 1;
      const waits = Array.from({ length: attempts - 1 }, (_, i) => Math.min(Number(retry['MaxDelaySeconds' as keyof typeof retry] ?? Infinity), retry.IntervalSeconds! * retry.BackoffRate! ** i));
      return attempts * state.TimeoutSeconds! + waits.reduce((a, b) => a + b, 0);
    };
    const total = Math.max(worst('Archive'), worst('RecordMetadata')) + worst('PublishAggregate') + worst('Cleanup') + worst('Salvage');
    expect(total).to.be.lessThan(d.TimeoutSeconds);
  });

  it('catches every failure of the Parallel, the publish and the cleanup into salvage, which ends in Fail', function () {
    const d = definition();
    for (const name of ['Store', 'PublishAggregate', 'Cleanup']) {
      const catchAll = d.States[name]!.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'));
      expect(catchAll, name).to.deep.include({ Next: 'PrepareSalvage', ResultPath: '$.error' });
    }
    expect(d.States.PrepareSalvage!.Next).to.equal('Salvage');
    expect(d.States.Salvage!.Next).to.equal('Salvaged');
    expect(d.States.Salvaged!.Type).to.equal('Fail');
    expect(d.States[d.States.Salvage!.Catch![0]!.Next]!.Type).to.equal('Fail');
  });

  it('every path ends in Succeed or Fail, and the only Succeed follows the cleanup', function () {
    const d = definition();
    const seen = new Set<string>();
    const ends: string[] = [];
    const walk = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const state = d.States[name]!;
      if (state.Type === 'Succeed' || state.Type === 'Fail') ends.push(`${state.Type}:${name}`);
      else expect(nextOf(state), `${name} leads somewhere`).to.have.length.greaterThan(0);
      nextOf(state).forEach(walk);
    };
    walk(d.StartAt);
    expect(seen.size, 'every top-level state is reachable').to.equal(Object.keys(d.States).length);
    expect(ends.sort()).to.deep.equal(['Fail:SalvageFailed', 'Fail:Salvaged', 'Succeed:Done']);
    expect(d.States.Cleanup!.Next).to.equal('Done');
  });

  it('keeps the payload out of the state: results are selected or discarded', function () {
    const d = definition();
    const states = Object.fromEntries(allStates(d.States));
    expect(Object.keys(states.Archive!.ResultSelector!)).to.have.members(['bucket.$', 'key.$', 'versionId.$', 'sha256.$', 'bytes.$']);
    expect(states.RecordMetadata!.ResultSelector).to.deep.equal({ recorded: true });
    expect(states.PublishAggregate!.ResultPath).to.equal(null);
    expect(states.Cleanup!.ResultPath).to.equal(null);
    expect(states.Store!.ResultPath).to.equal('$.stored');
  });

  it('publishes with the contract\'s source and detail type, and records metadata under the contract\'s key, conditionally', function () {
    const states = Object.fromEntries(allStates(definition().States));
    const entry = (states.PublishAggregate!.Parameters!.Entries as Record<string, Json>[])[0]!;
    expect(entry).to.deep.include({ Source: contract.eventSource, DetailType: contract.aggregateDetailType, EventBusName: 'rm-bus' });
    const put = states.RecordMetadata!.Parameters!;
    expect(put.TableName).to.equal('rm-metadata');
    expect(put.ConditionExpression).to.match(new RegExp(`^attribute_not_exists\\(${contract.metadataKey}\\)`));
    expect((put.Item as Record<string, Json>)[contract.metadataKey]).to.deep.equal({ 'S.$': `$.${contract.metadataKey}` });
    const catches = states.RecordMetadata!.Catch!;
    expect(catches[0]!.ErrorEquals).to.deep.equal(['DynamoDB.ConditionalCheckFailedException']);
    expect(states[catches[0]!.Next]!.Type).to.equal('Pass');
  });
});

// Runs the rendered definition with aws-local-stepfunctions, every Task replaced by a stub.
describe('reliable messaging: workflow executions (aws-local-stepfunctions, stubbed tasks)', function () {
  const pointer = { messageId: 'm-1', redisKey: `${contract.redisKeyPrefix}m-1`, receivedAt: '2026-11-23T12:00:00.000Z', bytes: 5, sha256: 'a'.repeat(64), contentType: 'application/json' };
  const archived = { bucket: 'archive', key: `${contract.archivePrefix}m-1`, versionId: 'v1', sha256: pointer.sha256, bytes: 5 };
  /** The error of the Fail state an execution ended in (aws-local-stepfunctions wraps it as the cause). */
  const failedWith = (error: Error | undefined) => (error?.cause as Error | undefined)?.name;
  const named = (name: string, message = name) => Object.assign(new Error(message), { name });

  interface Calls { [state: string]: Json[] }
  function run(handlers: Record<string, (input: Json, attempt: number) => Json>, input: Json = pointer) {
    const calls: Calls = {};
    const taskResourceLocalHandlers = Object.fromEntries(Object.entries(handlers).map(([state, handler]) => [state, (parameters: Json) => {
      // lambda:invoke stubs get {FunctionName, Payload}: record what the function would receive.
      const value = (parameters as { Payload?: Json }).Payload ?? parameters;
      (calls[state] ??= []).push(value);
      return handler(value, calls[state]!.length);
    }]));
    const retryIntervalOverrides = Object.fromEntries(['Archive', 'RecordMetadata', 'PublishAggregate', 'Cleanup', 'Salvage'].map((s) => [s, 0]));
    const machine = new StateMachine(definition() as unknown as StateMachineDefinition, { validationOptions: { checkArn: false } });
    const execution = machine.run(input, { overrides: { taskResourceLocalHandlers, retryIntervalOverrides }, context: { Execution: { Name: 'm-1' } } as never });
    return { calls, result: execution.result };
  }
  const ok = {
    Archive: () => ({ Payload: archived, StatusCode: 200 }),
    RecordMetadata: () => ({}),
    PublishAggregate: () => ({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] }),
    Cleanup: () => ({ Payload: { messageId: 'm-1', deleted: 1 }, StatusCode: 200 }),
    Salvage: () => ({ Payload: { messageId: 'm-1', payloadLost: false }, StatusCode: 200 }),
  };

  it('happy path: archives, records, publishes the aggregate, cleans up, succeeds; the payload never enters the state', async function () {
    const { calls, result } = run(ok);
    const output = (await result) as Record<string, Json>;
    expect(calls.Archive).to.deep.equal([pointer]);
    expect(calls.Cleanup).to.have.length(1);
    expect(calls.Salvage).to.equal(undefined);
    const event = calls.PublishAggregate![0] as { Entries: { Detail: Json }[] };
    expect(event.Entries[0]!.Detail).to.deep.equal({ messageId: 'm-1', receivedAt: pointer.receivedAt, bytes: 5, sha256: pointer.sha256, contentType: pointer.contentType, archive: archived });
    const put = calls.RecordMetadata![0] as { Item: Record<string, Json> };
    expect(put.Item.bytes).to.deep.equal({ N: '5' });
    expect(put.Item.executionName).to.deep.equal({ S: 'm-1' });
    expect(output.stored).to.deep.equal({ archive: archived, metadata: { recorded: true } });
  });

  it('a transient archive failure is retried and the execution succeeds', async function () {
    const { calls, result } = run({ ...ok, Archive: (_, attempt) => { if (attempt < 3) throw named('Lambda.ServiceException'); return { Payload: archived }; } });
    await result;
    expect(calls.Archive).to.have.length(3);
    expect(calls.Salvage).to.equal(undefined);
  });

  it('a metadata item already there (retried or redriven execution) counts as recorded', async function () {
    const { calls, result } = run({ ...ok, RecordMetadata: () => { throw named('DynamoDB.ConditionalCheckFailedException'); } });
    const output = (await result) as Record<string, Json>;
    expect(calls.RecordMetadata).to.have.length(1);
    expect(output.stored).to.deep.equal({ archive: archived, metadata: { recorded: true } });
  });

  it('a missing payload is not retried: salvage gets the pointer, the error and the execution name, then the execution fails', async function () {
    const { calls, result } = run({ ...ok, Archive: () => { throw named('PayloadMissingError', 'gone'); } });
    let failure: Error | undefined;
    await result.catch((e: Error) => (failure = e));
    expect(calls.Archive).to.have.length(1);
    expect(calls.PublishAggregate).to.equal(undefined);
    expect(calls.Cleanup).to.equal(undefined);
    const salvage = calls.Salvage![0] as { input: Record<string, Json>; executionName: string };
    expect(salvage.executionName).to.equal('m-1');
    expect(salvage.input).to.deep.include(pointer);
    expect((salvage.input.error as Record<string, Json>).Error).to.equal('PayloadMissingError');
    expect(failedWith(failure)).to.equal('MessageSalvaged');
  });

  it('a publish failing after its retries is salvaged with what the Parallel stored', async function () {
    const { calls, result } = run({ ...ok, PublishAggregate: () => { throw named('EventBridge.FailedEntry'); } });
    await result.then(() => expect.fail('should fail'), () => undefined);
    expect(calls.PublishAggregate).to.have.length(4);
    const salvage = calls.Salvage![0] as { input: Record<string, Json> };
    expect((salvage.input.stored as Record<string, Json>).archive).to.deep.equal(archived);
  });

  it('a cleanup failing after its retries is salvaged too; a failing salvage ends in SalvageFailed', async function () {
    const { calls, result } = run({ ...ok, Cleanup: () => { throw named('Error', 'redis down'); }, Salvage: () => { throw named('Error', 'still down'); } });
    let failure: Error | undefined;
    await result.catch((e: Error) => (failure = e));
    expect(calls.Cleanup).to.have.length(4);
    expect(calls.Salvage).to.have.length(4);
    expect(failedWith(failure)).to.equal('SalvageFailed');
  });
});
