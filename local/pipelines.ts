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

/** The pipelines of an applied infra/local, read from its `pipelines` and `pipeline_secrets` outputs. */
export function deployedPipelines(outputs: Record<string, unknown>): DeployedPipelines {
  if (!isObject(outputs.pipelines)) throw new Error(`infra/local has no pipelines output (outputs: ${Object.keys(outputs).join(', ') || 'none'})`);
  return { pipelines: objectsOnly(outputs.pipelines), secrets: objectsOnly(outputs.pipeline_secrets) };
}
