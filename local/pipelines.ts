/** One pipeline's `summary` object, as the stack outputs it (its shape belongs to the pipeline). */
export type PipelineSummary = Record<string, unknown>;

export interface DeployedPipelines {
  /** Deployed pipelines by name (`storage_first`, `etl`, ...); a disabled pipeline is absent. */
  pipelines: Record<string, PipelineSummary>;
  /** Sensitive values by pipeline (e.g. `api_key`). */
  secrets: Record<string, Record<string, unknown>>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const objectsOnly = <T>(map: unknown): Record<string, T> =>
  Object.fromEntries(Object.entries(isObject(map) ? map : {}).filter(([, value]) => isObject(value))) as Record<string, T>;

// Outputs written before the stack exposed one `pipelines` map: one output per pipeline, `<name>_api_key`
// beside it. Kept only until infra/local outputs `pipelines` and `pipeline_secrets`.
function fromPerPipelineOutputs(outputs: Record<string, unknown>): DeployedPipelines {
  const pipelines = objectsOnly<PipelineSummary>(Object.fromEntries(Object.entries(outputs).filter(([name]) => !name.endsWith('_api_key'))));
  const secrets = Object.fromEntries(Object.keys(pipelines).flatMap((name) => (typeof outputs[`${name}_api_key`] === 'string' ? [[name, { api_key: outputs[`${name}_api_key`] }]] : [])));
  return { pipelines, secrets };
}

/** The pipelines of an applied infra/local, read from its `pipelines` and `pipeline_secrets` outputs. */
export function deployedPipelines(outputs: Record<string, unknown>): DeployedPipelines {
  if (!('pipelines' in outputs)) return fromPerPipelineOutputs(outputs);
  return { pipelines: objectsOnly(outputs.pipelines), secrets: objectsOnly(outputs.pipeline_secrets) };
}
