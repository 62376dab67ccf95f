import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface TerraformOptions {
  /** Folder of the root configuration (infra/local). */
  dir: string;
  /** State file: it describes resources that live only as long as the emulator. */
  statePath: string;
  variables: Record<string, string>;
  log: (line: string) => void;
}

const dataDirOf = (options: TerraformOptions) => join(dirname(options.statePath), '.terraform');

function runTerraform(args: string[], options: TerraformOptions, capture = false): Promise<string> {
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
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!capture) for (const line of chunk.toString().split('\n')) if (line.trim()) options.log(line);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`terraform ${args[0]} failed (exit ${code}):\n${stderr || stdout}`));
    });
  });
}

const varArgs = (variables: Record<string, string>) => Object.entries(variables).map(([k, v]) => `-var=${k}=${v}`);

export async function terraformApply(options: TerraformOptions): Promise<void> {
  mkdirSync(dirname(options.statePath), { recursive: true });
  await runTerraform(['init', '-input=false', '-no-color', '-reconfigure', `-backend-config=path=${options.statePath}`], options, true);
  await runTerraform(['apply', '-auto-approve', '-input=false', '-no-color', '-compact-warnings', ...varArgs(options.variables)], options);
}

export async function terraformOutputs(options: TerraformOptions): Promise<Record<string, unknown>> {
  const json = await runTerraform(['output', '-json', '-no-color'], options, true);
  const outputs = JSON.parse(json) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value]));
}
