import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hashTree } from './snapshot';

export interface TerraformOptions {
  /** Folder of the root configuration (infra/local). */
  dir: string;
  /** State file: it describes resources that live only as long as the emulator. */
  statePath: string;
  variables: Record<string, string>;
  log: (line: string) => void;
}

/** Where an apply spent its time. */
export interface ApplyReport {
  /** `terraform init`; 0 when the data dir was initialised for this very configuration. */
  initSeconds: number;
  /** From the start of `terraform apply` to its first resource change (configuration, data sources, plan). */
  planSeconds: number;
  /** From the first resource change to the end. */
  applySeconds: number;
  resources: number;
  /** The resources that took longest, slowest first (mostly the provider's own propagation waits). */
  slowest: { address: string; seconds: number }[];
}

/**
 * The apply is a few hundred resources, and most of its time is the provider polling the emulator
 * until a change has "propagated" (SQS attributes 25 s, S3 lifecycle rules 55 s, KMS keys 15 s): fixed
 * waits in the provider, not work. Terraform's default of 10 at once queued them behind each other.
 */
const PARALLELISM = 100;

const dataDirOf = (options: TerraformOptions) => join(dirname(options.statePath), '.terraform');

function runTerraform(args: string[], options: TerraformOptions, onLine?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', args, {
      cwd: options.dir,
      // Each state has its own data dir (backend settings, provider links): `make local` and an e2e run
      // share infra/local, and one's `init -reconfigure` must not point the other's `output` at its state.
      env: { ...process.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', TF_DATA_DIR: dataDirOf(options) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!onLine) return;
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (partial.trim()) onLine?.(partial);
      if (code === 0) resolve(stdout);
      else reject(new Error(`terraform ${args[0]} failed (exit ${code}):\n${stderr || stdout}`));
    });
  });
}

const varArgs = (variables: Record<string, string>) => Object.entries(variables).map(([k, v]) => `-var=${k}=${v}`);

/**
 * `init` only when something it depends on changed: the data dir remembers the hash of the whole
 * infra/ tree (module calls, provider constraints), the state path and the CLI configuration.
 */
async function init(options: TerraformOptions): Promise<number> {
  const started = Date.now();
  const stamp = join(dataDirOf(options), 'init.stamp');
  const cliConfig = process.env.TF_CLI_CONFIG_FILE;
  const want = createHash('sha256')
    .update(hashTree(join(options.dir, '..')))
    .update(options.statePath)
    .update(cliConfig && existsSync(cliConfig) ? readFileSync(cliConfig) : '')
    .digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return 0;
  await runTerraform(['init', '-input=false', '-no-color', '-reconfigure', `-backend-config=path=${options.statePath}`], options);
  writeFileSync(stamp, want);
  return (Date.now() - started) / 1000;
}

interface ApplyEvent {
  type: string;
  '@message': string;
  '@timestamp': string;
  hook?: { resource?: { addr?: string }; elapsed_seconds?: number };
  diagnostic?: { severity: string; summary: string; detail?: string };
}

export async function terraformApply(options: TerraformOptions): Promise<ApplyReport> {
  mkdirSync(dirname(options.statePath), { recursive: true });
  const initSeconds = await init(options);
  const started = Date.now();
  let firstChange: number | undefined;
  const done: { address: string; seconds: number }[] = [];
  // -json: one event a line, with each resource's own elapsed time (where the apply waited).
  await runTerraform(['apply', '-auto-approve', '-input=false', '-no-color', '-json', `-parallelism=${PARALLELISM}`, ...varArgs(options.variables)], options, (line) => {
    let event: ApplyEvent;
    try {
      event = JSON.parse(line) as ApplyEvent;
    } catch {
      options.log(line);
      return;
    }
    if (event.type === 'apply_start' && !event.hook?.resource?.addr?.includes('.data.') && firstChange === undefined) firstChange = Date.now();
    if (event.type === 'apply_complete' && event.hook?.resource?.addr) done.push({ address: event.hook.resource.addr, seconds: event.hook.elapsed_seconds ?? 0 });
    if (event.type === 'diagnostic' && event.diagnostic) options.log(`${event.diagnostic.severity === 'error' ? 'Error' : 'Warning'}: ${event.diagnostic.summary}${event.diagnostic.detail ? `\n${event.diagnostic.detail}` : ''}`);
    if (event.type === 'change_summary') options.log(event['@message']);
  });
  const ended = Date.now();
  const planEnd = firstChange ?? ended;
  return {
    initSeconds,
    planSeconds: (planEnd - started) / 1000,
    applySeconds: (ended - planEnd) / 1000,
    resources: done.length,
    slowest: done.sort((a, b) => b.seconds - a.seconds).slice(0, 3),
  };
}

/**
 * Runs a fresh apply, and once more from scratch if it fails. On the emulator the AWS provider now and
 * then loses an answer under load (a transport error after the emulator did the work; the SDK's retry
 * then meets "already exists", or the call hangs for minutes first): starting again from an empty
 * emulator and state clears that. A configuration error fails the second apply the same way, so it
 * still fails the start; the first error is logged either way.
 */
export async function applyFromScratchWithOneRetry<T>(apply: () => Promise<T>, startOver: () => Promise<void>, log: (line: string) => void): Promise<T> {
  try {
    return await apply();
  } catch (error) {
    log(`[local] terraform apply failed; starting over once on an empty emulator and state. The error was: ${(error as Error).message.slice(0, 2000)}`);
    await startOver();
    return apply();
  }
}

export async function terraformOutputs(options: TerraformOptions): Promise<Record<string, unknown>> {
  const json = await runTerraform(['output', '-json', '-no-color'], options);
  const outputs = JSON.parse(json) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value]));
}
