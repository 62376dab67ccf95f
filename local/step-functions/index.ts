// Runs the executions the functions start on the emulator (which records them and never runs them):
// each RUNNING execution, once, with the definition the emulator holds for it.
import { setMaxListeners } from 'node:events';
import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  type SFNClient,
  type StateMachineListItem,
} from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { unsupportedFeatures, taskStates } from './definition';
import { runExecution, type ExecutionRecord } from './execution';
import { supportedResources, type IntegrationClients } from './integrations';
import type { JSONValue } from './json';

export type { ExecutionRecord } from './execution';

/** Counters per state machine, beside the event source mappings' (served at /_local/executions). */
export interface StateMachineStats {
  stateMachineArn: string;
  name: string;
  started: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  retries: number;
  caught: number;
}

export interface StateMachineRunnerOptions {
  sfn: SFNClient;
  clients: IntegrationClients;
  signal: AbortSignal;
  log: (line: string) => void;
  /** How often the emulator is asked for RUNNING executions. */
  pollIntervalMs?: number;
  /** How many finished executions are kept for /_local/executions (oldest dropped first). */
  keepRecords?: number;
  retryIntervalMs?: number;
}

export interface StateMachineRunner {
  stats: StateMachineStats[];
  /** Finished executions, oldest first. */
  records: ExecutionRecord[];
  /** Resolves once the poller stopped (signal aborted) and every execution it started has ended. */
  done: Promise<void>;
}

async function listAll<T>(page: (token: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const { items, next } = await page(token);
    all.push(...items);
    token = next;
  } while (token);
  return all;
}

/** What the runtime cannot run in a definition, said once per state machine when it is found. */
function describeGaps(definition: StateMachineDefinition): string[] {
  const supported = new Set(supportedResources());
  const tasks = taskStates(definition).filter((t) => !supported.has(t.resource)).map((t) => `${t.name}: ${t.resource} (not run locally)`);
  return [...unsupportedFeatures(definition), ...tasks];
}

export function startStateMachineRunner(options: StateMachineRunnerOptions): StateMachineRunner {
  const { sfn, log } = options;
  // Every running execution listens for the end: one signal of its own, without Node's 10-listener warning.
  const own = new AbortController();
  setMaxListeners(0, own.signal);
  if (options.signal.aborted) own.abort();
  else options.signal.addEventListener('abort', () => own.abort(), { once: true });
  const signal = own.signal;
  const stats = new Map<string, StateMachineStats>();
  const records: ExecutionRecord[] = [];
  const seen = new Set<string>();
  const running = new Set<Promise<void>>();
  const keep = options.keepRecords ?? 2000;
  const statsOf = (machine: StateMachineListItem): StateMachineStats => {
    let entry = stats.get(machine.stateMachineArn!);
    if (!entry) {
      entry = { stateMachineArn: machine.stateMachineArn!, name: machine.name!, started: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, retries: 0, caught: 0 };
      stats.set(machine.stateMachineArn!, entry);
      log(`[sfn] found state machine ${machine.name}: its executions run locally`);
    }
    return entry;
  };
  const checked = new Set<string>();
  const runner: StateMachineRunner = { stats: [], records, done: Promise.resolve() };

  async function start(machine: StateMachineListItem, executionArn: string, counters: StateMachineStats): Promise<void> {
    const [execution, forExecution] = await Promise.all([
      sfn.send(new DescribeExecutionCommand({ executionArn })),
      // The definition this execution was started with, as applied: never a copy from the repository.
      sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn })),
    ]);
    const definition = JSON.parse(forExecution.definition ?? '{}') as StateMachineDefinition;
    if (!checked.has(machine.stateMachineArn!)) {
      checked.add(machine.stateMachineArn!);
      for (const gap of describeGaps(definition)) log(`[sfn] ${machine.name}: ${gap}`);
    }
    counters.started += 1;
    counters.running += 1;
    log(`[sfn] ${machine.name}: execution ${execution.name} started`);
    const record = await runExecution(
      definition,
      {
        executionArn,
        name: execution.name!,
        stateMachineArn: machine.stateMachineArn!,
        stateMachineName: machine.name!,
        roleArn: forExecution.roleArn,
        input: JSON.parse(execution.input ?? '{}') as JSONValue,
        startDate: execution.startDate ?? new Date(),
      },
      { clients: options.clients, signal, log, retryIntervalMs: options.retryIntervalMs },
    );
    counters.running -= 1;
    counters.retries += record.retries;
    counters.caught += record.caught;
    const field = ({ SUCCEEDED: 'succeeded', FAILED: 'failed', TIMED_OUT: 'timedOut', ABORTED: 'aborted' } as const)[record.status];
    counters[field] += 1;
    records.push(record);
    if (records.length > keep) records.splice(0, records.length - keep);
    const took = ((Date.parse(record.stopDate) - Date.parse(record.startDate)) / 1000).toFixed(1);
    const why = record.error ? ` ${record.error}: ${(record.cause ?? '').slice(0, 300)}` : '';
    log(`[sfn] ${machine.name}: execution ${record.name} ${record.status} in ${took} s (${record.retries} retries, ${record.caught} caught)${why}`);
  }

  async function pollOnce(): Promise<void> {
    const machines = await listAll(async (nextToken) => {
      const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
      return { items: page.stateMachines ?? [], next: page.nextToken };
    });
    for (const machine of machines) {
      const counters = statsOf(machine);
      // The emulator's own record of an execution stays RUNNING: `seen` is what makes each run once.
      const executions = await listAll(async (nextToken) => {
        const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine.stateMachineArn, statusFilter: 'RUNNING', maxResults: 1000, nextToken }));
        return { items: page.executions ?? [], next: page.nextToken };
      });
      for (const execution of executions) {
        const arn = execution.executionArn!;
        if (seen.has(arn)) continue;
        seen.add(arn);
        const task = start(machine, arn, counters).catch((error: unknown) => log(`[sfn] ${machine.name}: execution ${arn} could not run: ${(error as Error).message}`));
        running.add(task);
        void task.finally(() => running.delete(task));
      }
    }
    runner.stats = [...stats.values()];
  }

  runner.done = (async () => {
    while (!signal.aborted) {
      try {
        await pollOnce();
      } catch (error) {
        if (!signal.aborted) log(`[sfn] polling the emulator failed: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 250));
    }
    await Promise.allSettled([...running]);
  })();
  return runner;
}
