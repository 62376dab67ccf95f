import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { asRunLocally, taskStates } from './definition';
import { integrationFor, supportedResources, TerminalTaskError, type IntegrationClients, type TaskHandler } from './integrations';
import type { JSONValue } from './json';

// aws-local-stepfunctions 3 declares Node >= 22 and calls Promise.withResolvers (Node 22+) in every
// Task state; this machine runs Node 20, where each Task would fail with "Promise.withResolvers is
// not a function" and a States.ALL catch would hide it. Defined once here, before any execution runs.
interface WithResolvers {
  withResolvers?: <T>() => { promise: Promise<T>; resolve: (value: T) => void; reject: (reason?: unknown) => void };
}
(Promise as unknown as WithResolvers).withResolvers ??= <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One execution as the runtime saw it start. */
export interface ExecutionToRun {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  roleArn?: string;
  input: JSONValue;
  startDate: Date;
}

/** How an execution ended (what DescribeExecution would answer in AWS). */
export interface ExecutionRecord {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate: string;
  output?: JSONValue;
  error?: string;
  cause?: string;
  /** Task attempts retried by a Retry field, and errors a Catch field caught. */
  retries: number;
  caught: number;
}

export interface RunExecutionOptions {
  clients: IntegrationClients;
  /** Aborting ends the execution as ABORTED (the runtime stopping). */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Retry waits in ms instead of IntervalSeconds/BackoffRate/jitter (tests). */
  retryIntervalMs?: number;
}

/** Runs one execution of the applied definition to its end; never rejects. */
export async function runExecution(definition: StateMachineDefinition, execution: ExecutionToRun, options: RunExecutionOptions): Promise<ExecutionRecord> {
  const log = options.log ?? (() => {});
  const handlers: Record<string, TaskHandler> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const { name, resource } of taskStates(definition)) {
    handlers[name] =
      integrationFor(resource, options.clients) ??
      (() => Promise.reject(new TerminalTaskError('States.Runtime', `Task ${name}: resource ${resource} is not run locally (supported: ${supportedResources().join(', ')})`)));
    if (options.retryIntervalMs !== undefined) retryIntervalOverrides[name] = options.retryIntervalMs;
  }
  // Parallel and Map states retry too.
  if (options.retryIntervalMs !== undefined) for (const name of Object.keys(definition.States)) retryIntervalOverrides[name] ??= options.retryIntervalMs;

  const machine = new StateMachine(asRunLocally(definition));
  const run = machine.run(execution.input, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
    context: {
      Execution: { Id: execution.executionArn, Name: execution.name, RoleArn: execution.roleArn ?? '', StartTime: execution.startDate.toISOString() },
      StateMachine: { Id: execution.stateMachineArn, Name: execution.stateMachineName },
    },
  });
  const onAbort = () => run.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const counts = { retries: 0, caught: 0 };
  const events = (async () => {
    for await (const event of run.eventLogs) {
      if (event.type === 'StateRetried') {
        counts.retries += 1;
        log(`[sfn ${execution.name}] ${event.state.name}: retry ${event.retry.attempt} (${event.retry.retrier.ErrorEquals.join(', ')})`);
      } else if (event.type === 'StateCaught') {
        counts.caught += 1;
        log(`[sfn ${execution.name}] ${event.state.name}: caught -> ${event.catch.catcher.Next}`);
      } else if (event.type === 'StateFailed') {
        log(`[sfn ${execution.name}] ${event.state.name} failed: ${event.Error}: ${String(event.Cause).slice(0, 300)}`);
      }
    }
  })().catch(() => undefined);

  const base = { executionArn: execution.executionArn, name: execution.name, stateMachineArn: execution.stateMachineArn, startDate: execution.startDate.toISOString() };
  let ending: Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'>;
  try {
    ending = { status: 'SUCCEEDED', output: (await run.result) as JSONValue };
  } catch (error) {
    if (error instanceof ExecutionTimeoutError) ending = { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution ran longer than the TimeoutSeconds of its definition' };
    else if (error instanceof ExecutionAbortedError) ending = { status: 'ABORTED' };
    else if (error instanceof ExecutionError && error.cause instanceof Error) ending = { status: 'FAILED', error: error.cause.name, cause: error.cause.message };
    else ending = { status: 'FAILED', error: 'States.Runtime', cause: (error as Error).message };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  await events;
  return { ...base, ...ending, stopDate: new Date().toISOString(), ...counts };
}
