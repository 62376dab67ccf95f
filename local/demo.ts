// `make demo`: each deployed pipeline's scenario (local/scenarios/) against the running `make local`:
// a burst of sample traffic, then what arrived where.
import { scenarios } from './scenarios/index';
import { endpointsOf } from './scenarios/scenario';
import { loadSession, mappingStats } from './session';

try {
  const session = await loadSession();
  for (const scenario of scenarios) {
    const pipeline = session.pipelines[scenario.pipeline];
    if (!pipeline) continue;
    await scenario.demo({
      emulatorEndpoint: session.emulatorEndpoint,
      pipeline,
      endpoints: endpointsOf(pipeline, session.endpoints),
      stats: () => mappingStats(session.apiUrl),
    });
  }
} catch (error) {
  console.error(`demo: ${(error as Error).message}`);
  process.exit(1);
}
