import type { Endpoint } from '../gateway/server';
import type { PipelineSummary } from '../pipelines';
import type { MappingStats } from '../stack';

export interface ScenarioContext {
  emulatorEndpoint: string;
  /** The pipeline's summary from the stack's `pipelines` output. */
  pipeline: PipelineSummary;
  /** The routes of the pipeline's API on the local gateway (none for a pipeline without one). */
  endpoints: Endpoint[];
  /** Counters of every event source the runtime polls. */
  stats(): Promise<MappingStats[]>;
}

/** What `make local` and `make demo` show of one pipeline. */
export interface Scenario {
  /** The pipeline's key in the stack's `pipelines` output. */
  pipeline: string;
  /** The body printed in the curl line of a route that takes one, by route (`POST /messages`). */
  sampleBodies: Readonly<Record<string, unknown>>;
  /** Sends the demo traffic and prints where it went. */
  demo(context: ScenarioContext): Promise<void>;
}

/** `METHOD /resource/path` of an endpoint served as `<api url>/<api id>/<stage>/<path>`. */
export const routeOf = (endpoint: Endpoint): string => `${endpoint.method} /${endpoint.url.split('/').slice(5).join('/')}`;

/** The endpoints of the API a pipeline summary names (`rest_api_id`). */
export function endpointsOf(pipeline: PipelineSummary, endpoints: Endpoint[]): Endpoint[] {
  const apiId = pipeline.rest_api_id;
  return typeof apiId === 'string' ? endpoints.filter((e) => e.url.split('/')[3] === apiId) : [];
}

export { sleep } from '../../functions/lib/backoff';
