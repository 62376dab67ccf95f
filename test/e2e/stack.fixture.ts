// Root hook plugin (mocha --require): one local stack for the whole e2e run, the same path as
// `make local` (a fresh emulator, terraform apply of infra/local, the local runtime), started before
// the first test and stopped after the last. Each pipeline's e2e file reads it with e2eStack().
import { join } from 'node:path';
import type { RootHookObject } from 'mocha';
import { EMULATOR_CREDENTIALS } from '../../local/emulator/moto';
import { repoRoot, startLocalStack, type LocalStack } from '../../local/stack';

let stack: LocalStack | undefined;

/** Every line the stack logged (terraform, runtime, function logs), in order. */
export const logs: string[] = [];

export const mochaHooks: RootHookObject = {
  async beforeAll(this: Mocha.Context) {
    // A cold apply is ~145 s on a quiet machine (the provider's fixed propagation waits); beside the
    // other make test chain one took 7 minutes, and a failed one is started over once (local/stack.ts).
    this.timeout(1_200_000);
    stack = await startLocalStack({ namePrefix: 'e2e', workDir: join(repoRoot, '.cache/e2e'), log: (line) => logs.push(line) });
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stack?.stop();
  },
};

export function e2eStack(): LocalStack {
  if (!stack) throw new Error('no local stack: run the e2e tests with `npm run test:e2e` (mocha --require test/e2e/stack.fixture.ts)');
  return stack;
}

/** SDK client settings for the stack's emulator. */
export const emulatorClientConfig = () => ({ endpoint: e2eStack().emulatorEndpoint, region: 'us-east-1', credentials: EMULATOR_CREDENTIALS });
