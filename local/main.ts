// `make local`: the stack on emulators, in the foreground, until Ctrl-C.
import type { Endpoint } from './gateway/server';
import { scenarios } from './scenarios/index';
import { endpointsOf, routeOf } from './scenarios/scenario';
import { removeSession, writeSession } from './session';
import { startLocalStack } from './stack';

const emulatorPort = Number(process.env.LOCAL_EMULATOR_PORT ?? 5010);
const apiPort = Number(process.env.LOCAL_API_PORT ?? 4010);
// Counted from this process's start: loading the runtime's modules is part of the wait.
const started = Date.now() - process.uptime() * 1000;

// Interrupted while starting: exit, and the emulator goes with this process (see startMoto).
const interruptedDuringStartup = () => {
  console.log('\n[local] interrupted during start-up');
  process.exit(130);
};
process.once('SIGINT', interruptedDuringStartup);
process.once('SIGTERM', interruptedDuringStartup);
const stackStarting = Date.now();
const stack = await startLocalStack({ emulatorPort, apiPort });
process.removeListener('SIGINT', interruptedDuringStartup);
process.removeListener('SIGTERM', interruptedDuringStartup);

// Each deployed pipeline's scenario gives the sample bodies of its routes.
const sampleBodies = new Map<Endpoint, unknown>();
for (const scenario of scenarios) {
  const pipeline = stack.pipelines[scenario.pipeline];
  if (!pipeline) continue;
  for (const endpoint of endpointsOf(pipeline, stack.endpoints)) sampleBodies.set(endpoint, scenario.sampleBodies[routeOf(endpoint)]);
}

// Where the start-up went (`make local` builds the zips before this process; LOCAL_BUILD_SECONDS says how long).
const buildSeconds = Number(process.env.LOCAL_BUILD_SECONDS) > 0 ? Number(process.env.LOCAL_BUILD_SECONDS) : 0;
const phases = [
  ...(buildSeconds ? [{ phase: 'zips (node build.mjs, before this process)', seconds: buildSeconds }] : []),
  { phase: 'node, tsx and the runtime modules loaded', seconds: (stackStarting - started) / 1000 },
  ...stack.startup,
];
console.log('\nStart-up:');
for (const { phase, seconds } of phases) console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${phase}`);
console.log(`\nReady in ${((Date.now() - started) / 1000 + buildSeconds).toFixed(1)} s${buildSeconds ? ' (zips included)' : ''}. Emulator: ${stack.emulatorEndpoint}  APIs: ${stack.apiUrl}`);
console.log(`Pipelines: ${Object.keys(stack.pipelines).join(', ') || 'none'}. Event sources polled locally: ${stack.stats.length} of ${stack.mappings.length}`);
let lastApi = '';
for (const endpoint of stack.endpoints) {
  if (endpoint.apiName !== lastApi) console.log(`\n${endpoint.apiName} (${endpoint.stage}):`);
  lastApi = endpoint.apiName;
  const key = endpoint.apiKey ? ` -H 'x-api-key: ${endpoint.apiKey}'` : '';
  // The emulator's credentials sign for the local gateway, as real ones would for API Gateway.
  const sign = endpoint.signed ? ` --aws-sigv4 'aws:amz:us-east-1:execute-api' --user test:test` : '';
  const sample = JSON.stringify(sampleBodies.get(endpoint) ?? {});
  const body = ['POST', 'PUT', 'PATCH'].includes(endpoint.method) ? ` -H 'content-type: application/json' -d '${sample}'` : '';
  console.log(`  ${endpoint.method.padEnd(6)} curl -sS -X ${endpoint.method} '${endpoint.url}'${sign}${key}${body}`);
}
console.log(`\nAWS CLI against the emulator: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws --region us-east-1 --endpoint-url ${stack.emulatorEndpoint} sqs list-queues`);
console.log('Function logs appear below. Ctrl-C stops everything.\n');

// make demo finds the running stack through the session file.
writeSession({ emulatorEndpoint: stack.emulatorEndpoint, apiUrl: stack.apiUrl, endpoints: stack.endpoints, pipelines: stack.pipelines });

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\n[local] stopping ...');
  removeSession();
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
