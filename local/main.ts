// `make local`: the stack on emulators, in the foreground, until Ctrl-C.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startLocalStack } from './stack';

const emulatorPort = Number(process.env.LOCAL_EMULATOR_PORT ?? 5010);
const apiPort = Number(process.env.LOCAL_API_PORT ?? 4010);
const started = Date.now();

// Interrupted while starting: exit, and the emulator goes with this process (see startMoto).
const interruptedDuringStartup = () => {
  console.log('\n[local] interrupted during start-up');
  process.exit(130);
};
process.once('SIGINT', interruptedDuringStartup);
process.once('SIGTERM', interruptedDuringStartup);
const stack = await startLocalStack({ emulatorPort, apiPort });
process.removeListener('SIGINT', interruptedDuringStartup);
process.removeListener('SIGTERM', interruptedDuringStartup);

console.log(`\nReady in ${((Date.now() - started) / 1000).toFixed(1)} s. Emulator: ${stack.emulatorEndpoint}  APIs: ${stack.apiUrl}`);
console.log(`Event sources polled locally: ${stack.mappings.length}`);
const sampleBody = (url: string) => (url.includes('/notes') ? '{"title":"demo","content":"Hello from the local stack"}' : '{"type":"demo","data":{"hello":"world"}}');
let lastApi = '';
for (const endpoint of stack.endpoints) {
  if (endpoint.apiName !== lastApi) console.log(`\n${endpoint.apiName} (${endpoint.stage}):`);
  lastApi = endpoint.apiName;
  const key = endpoint.apiKey ? ` -H 'x-api-key: ${endpoint.apiKey}'` : '';
  // The emulator's credentials sign for the local gateway, as real ones would for API Gateway.
  const sign = endpoint.signed ? ` --aws-sigv4 'aws:amz:us-east-1:execute-api' --user test:test` : '';
  const body = ['POST', 'PUT', 'PATCH'].includes(endpoint.method) ? ` -H 'content-type: application/json' -d '${sampleBody(endpoint.url)}'` : '';
  console.log(`  ${endpoint.method.padEnd(6)} curl -sS -X ${endpoint.method} '${endpoint.url}'${sign}${key}${body}`);
}
console.log(`\nAWS CLI against the emulator: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws --region us-east-1 --endpoint-url ${stack.emulatorEndpoint} sqs list-queues`);
console.log('Function logs appear below. Ctrl-C stops everything.\n');

// make demo finds the running stack through this file.
const sessionFile = join(repoRoot, '.cache/local/session.json');
mkdirSync(join(repoRoot, '.cache/local'), { recursive: true });
writeFileSync(sessionFile, JSON.stringify({ emulatorEndpoint: stack.emulatorEndpoint, apiUrl: stack.apiUrl, endpoints: stack.endpoints, outputs: stack.outputs }, null, 2));

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\n[local] stopping ...');
  rmSync(sessionFile, { force: true });
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
