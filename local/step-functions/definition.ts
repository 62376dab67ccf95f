import type { StateMachineDefinition } from 'aws-local-stepfunctions';

type States = StateMachineDefinition['States'];
type State = States[string];

/**
 * Node's timers hold at most 2^31-1 ms; a longer delay fires after 1 ms. The interpreter times every
 * Task out after 60 s unless the state says otherwise, where Step Functions waits (nearly) forever:
 * an unset Task timeout becomes the longest one a timer can hold (24.8 days).
 */
const UNSET_TASK_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** The states of a definition and of every Parallel branch and Map iterator in it, by name. */
function* allStates(states: States): Generator<[string, State]> {
  for (const [name, state] of Object.entries(states)) {
    yield [name, state];
    if (state.Type === 'Parallel') for (const branch of state.Branches) yield* allStates(branch.States);
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) yield* allStates(processor.States);
    }
  }
}

/** Every Task state (names are unique across the whole machine, nested ones included) and its Resource. */
export function taskStates(definition: StateMachineDefinition): { name: string; resource: string }[] {
  const tasks: { name: string; resource: string }[] = [];
  for (const [name, state] of allStates(definition.States)) if (state.Type === 'Task') tasks.push({ name, resource: state.Resource });
  return tasks;
}

/** The applied definition with the interpreter's defaults that differ from Step Functions' put right (a copy). */
export function asRunLocally(definition: StateMachineDefinition): StateMachineDefinition {
  const copy = JSON.parse(JSON.stringify(definition)) as StateMachineDefinition;
  for (const [, state] of allStates(copy.States)) {
    if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) state.TimeoutSeconds = UNSET_TASK_TIMEOUT_SECONDS;
  }
  return copy;
}

/** JSONata and variables are ignored by the interpreter: a definition using them would run wrongly, so it is refused. */
export function unsupportedFeatures(definition: StateMachineDefinition): string[] {
  const problems: string[] = [];
  const raw = definition as unknown as Record<string, unknown>;
  if (raw.QueryLanguage === 'JSONata') problems.push('QueryLanguage JSONata');
  for (const [name, state] of allStates(definition.States)) {
    const fields = state as unknown as Record<string, unknown>;
    if (fields.QueryLanguage === 'JSONata') problems.push(`${name}: QueryLanguage JSONata`);
    if (fields.Assign !== undefined) problems.push(`${name}: Assign`);
    if (fields.Arguments !== undefined || fields.Output !== undefined) problems.push(`${name}: Arguments/Output (JSONata)`);
  }
  return problems;
}
