import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { zipSync } from 'fflate';
import { createFunctionRunner, type FunctionRunner } from '../../../local/functions/runner';

// A handler that answers at once, or never when asked to hang: what a timed-out invocation leaves behind.
const HANDLER = `exports.handler = async (event) => (event.hang ? new Promise(() => {}) : { echo: event.n });`;

describe('local function runner: timeouts', function () {
  this.timeout(30_000);
  let dir: string;
  let runner: FunctionRunner;
  const logs: string[] = [];
  const lambda = mockClient(LambdaClient);

  before(function () {
    // Under the repository: the worker is forked with this process's loader (tsx), which resolves from its folder.
    mkdirSync('.cache', { recursive: true });
    dir = mkdtempSync(join(process.cwd(), '.cache', 'runner-test-'));
    const zip = zipSync({ 'index.js': new TextEncoder().encode(HANDLER) });
    writeFileSync(join(dir, 'fn.zip'), zip);
    const base64sha256 = createHash('sha256').update(zip).digest('base64');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ artifacts: [{ name: 'fn', zip: 'fn.zip', base64sha256 }] }));
    lambda.on(GetFunctionCommand).resolves({ Configuration: { FunctionName: 'fn', FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn', CodeSha256: base64sha256, Handler: 'index.handler', Timeout: 1, MemorySize: 128 } });
    runner = createFunctionRunner({ lambda: new LambdaClient({ region: 'us-east-1' }), emulatorEndpoint: 'http://127.0.0.1:1', region: 'us-east-1', artifactsDir: dir, repoRoot: dir, workDir: join(dir, 'work'), log: (line) => logs.push(line) });
  });

  after(function () {
    runner.stop();
    lambda.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an invocation right after a timeout runs in a new worker instead of failing on the killed one', async function () {
    expect(await runner.invoke('fn', { n: 1 }), logs.join('\n')).to.deep.equal({ ok: true, payload: { echo: 1 } });
    const timedOut = await runner.invoke('fn', { hang: true });
    expect(timedOut).to.include({ ok: false, errorType: 'Sandbox.Timedout' });
    // Queued at once, as a poller does with the next batch.
    const next = await Promise.all([runner.invoke('fn', { n: 2 }), runner.invoke('fn', { n: 3 })]);
    expect(next).to.deep.equal([
      { ok: true, payload: { echo: 2 } },
      { ok: true, payload: { echo: 3 } },
    ]);
  });
});
