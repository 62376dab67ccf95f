import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'chai';

const repoRoot = process.cwd();
const infraDir = join(repoRoot, 'infra');

interface RunResult {
  status: number;
  stdout: string;
  output: string;
}

function run(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      // BC_SKIP_MAPPING stops checkov from fetching guideline links from the internet.
      // TFLINT_PLUGIN_DIR: where scripts/setup.sh installs the AWS ruleset.
      env: {
        TFLINT_PLUGIN_DIR: join(repoRoot, '.cache/tflint.d/plugins'),
        ...process.env,
        ...extraEnv,
        TF_IN_AUTOMATION: '1',
        TF_INPUT: '0',
        BC_SKIP_MAPPING: 'TRUE',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ status: code ?? 1, stdout, output: `${stdout}${stderr}` }));
  });
}

/**
 * Runs the queued jobs at most `limit` at a time, in the order queued. The gates are independent processes
 * (each Terraform configuration has its own .terraform folder; the plugin cache is only read, setup fills
 * it), most of them single-threaded for much of their run, so two at a time use both cores.
 */
function jobQueue(limit: number) {
  const waiting: (() => void)[] = [];
  let running = 0;
  const next = () => {
    if (running >= limit) return;
    const start = waiting.shift();
    if (start) start();
  };
  return <T>(job: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      waiting.push(() => {
        running += 1;
        job().then(resolve, reject).finally(() => {
          running -= 1;
          next();
        });
      });
      next();
    });
}

/**
 * Terraform starts the AWS provider (a 700 MB binary) anew for `validate` and for every step of every `run`
 * block: 47 starts and 18 of the 19 CPU-seconds of one module's tests. Every test file mocks the provider,
 * so only its schema and validation are used, and one provider process per configuration can serve them
 * all: Terraform attaches to a provider it did not start when TF_REATTACH_PROVIDERS names it (the plugin
 * protocol's debug mode, `-debug`, prints that value). The binary is the one `terraform init` selected.
 */
async function withProviderServer<T>(dir: string, work: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const providers = join(dir, '.terraform/providers/registry.terraform.io/hashicorp/aws');
  const version = existsSync(providers) ? readdirSync(providers)[0] : undefined;
  const platformDir = version && join(providers, version, readdirSync(join(providers, version))[0]!);
  const binary = platformDir && readdirSync(platformDir).find((file) => file.startsWith('terraform-provider-aws'));
  if (!platformDir || !binary) return work({}); // no AWS provider installed here: Terraform starts what it needs
  // In debug mode the provider logs every request at trace level (26 MB for the stack's tests) unless told not to.
  const quiet = { TF_LOG: 'off', TF_LOG_PROVIDER: 'off', TF_LOG_SDK: 'off', TF_LOG_SDK_PROTO: 'off', TF_LOG_SDK_FRAMEWORK: 'off' };
  const server = spawn(join(platformDir, binary), ['-debug'], { cwd: dir, env: { ...process.env, ...quiet }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  try {
    const reattach = await new Promise<string>((resolve, reject) => {
      let printed = '';
      let found: RegExpExecArray | null = null;
      const timer = setTimeout(() => reject(new Error(`the AWS provider printed no TF_REATTACH_PROVIDERS within 60 s:\n${printed}`)), 60_000);
      // Still read (a full pipe would stall the provider), but keep nothing once it is serving.
      const read = (chunk: Buffer) => {
        if (found) return;
        printed += chunk.toString('utf8');
        found = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(printed);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]!);
        }
      };
      server.stdout.on('data', read);
      server.stderr.on('data', read);
      server.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the AWS provider exited (${code}) before it could serve:\n${printed}`));
      });
    });
    return await work({ TF_REATTACH_PROVIDERS: reattach });
  } finally {
    server.kill('SIGINT');
    const killer = setTimeout(() => server.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }
}

/** INFRA_JOBS overrides how many gates run at once (1 = one after the other, as before). */
const jobs = Number(process.env.INFRA_JOBS ?? availableParallelism());
if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`INFRA_JOBS must be a positive integer, got ${process.env.INFRA_JOBS}`);

/** Every Terraform configuration: the root stack and each folder with a versions.tf below it. */
function terraformConfigurations(dir: string): string[] {
  const found = existsSync(join(dir, 'versions.tf')) ? [dir] : [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'tests') {
      found.push(...terraformConfigurations(join(dir, entry.name)));
    }
  }
  return found;
}

/** The folders whose README has generated tables: every module and pipeline. */
function documentedModules(): string[] {
  return ['modules', 'pipelines'].flatMap((parent) =>
    readdirSync(join(infraDir, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(infraDir, parent, entry.name)),
  );
}

/** A tool scripts/setup.sh builds into .cache/bin (or the path in an environment variable). */
function tool(variable: string, name: string): string {
  const path = process.env[variable] ?? join(repoRoot, '.cache/bin', name);
  expect(existsSync(path), `${name} not found at ${path}: run make setup`).to.equal(true);
  return path;
}

/** How many module blocks a configuration instantiates through local sources, counting theirs too. */
function modulesCalled(dir: string): number {
  const sources = readdirSync(dir)
    .filter((file) => file.endsWith('.tf'))
    .flatMap((file) => [...readFileSync(join(dir, file), 'utf8').matchAll(/^\s*source\s*=\s*"(\.\.?\/[^"]+)"/gm)].map((match) => match[1]!));
  return sources.reduce((count, source) => count + 1 + modulesCalled(join(dir, source)), 0);
}

/**
 * .checkov.yaml scans infra/, and infra/local is its own root (the same stack module as infra/, with the
 * emulator's provider). In one scan checkov renders the stack's modules for both roots together, 90 s;
 * scanned apart, infra/ without infra/local and infra/local alone take about 21 s each and together report
 * every result of the single scan (make checkov runs the same two).
 */
const checkovScans = {
  infra: ['--skip-path', 'infra/local'],
  'infra/local': ['--directory', 'infra/local'],
} as const;
type CheckovScan = keyof typeof checkovScans;

interface ConfigurationRuns {
  init: RunResult;
  validate?: RunResult;
  /** Only for a configuration with a tests folder whose init succeeded. */
  test?: RunResult;
}

describe('infra gates', function () {
  const configurations = terraformConfigurations(infraDir);
  const nameOf = (dir: string) => relative(infraDir, dir) || 'root';
  const queue = jobQueue(jobs);
  // Every gate is queued once, when its first test asks for it; each test then asserts on its own results.
  const started = new Map<string, Promise<unknown>>();
  // A test's duration includes its wait in the queue; each gate's own time is printed after the tests.
  const seconds = new Map<string, number>();
  const once = <T>(key: string, job: () => Promise<T>): Promise<T> => {
    if (!started.has(key)) {
      const promise = queue(async () => {
        const start = Date.now();
        try {
          return await job();
        } finally {
          seconds.set(key, (Date.now() - start) / 1000);
        }
      });
      promise.catch(() => undefined); // a failure is reported by the test that awaits it
      started.set(key, promise);
    }
    return started.get(key) as Promise<T>;
  };

  const gates = {
    fmt: () => once('fmt', () => run('terraform', ['fmt', '-check', '-recursive', '-diff'], infraDir)),
    // init, validate and test share the configuration's .terraform folder: one after the other.
    configuration: (dir: string) =>
      once(`terraform ${nameOf(dir)}`, async (): Promise<ConfigurationRuns> => {
        const init = await run('terraform', ['init', '-backend=false', '-input=false', '-no-color'], dir);
        if (init.status !== 0) return { init };
        return withProviderServer(dir, async (env) => {
          const validate = await run('terraform', ['validate', '-no-color'], dir, env);
          const test = existsSync(join(dir, 'tests')) ? await run('terraform', ['test', '-no-color'], dir, env) : undefined;
          return { init, validate, test };
        });
      }),
    terraformDocs: () =>
      once('terraform-docs', async () => {
        const terraformDocs = tool('TERRAFORM_DOCS_BIN', 'terraform-docs');
        const stale: string[] = [];
        for (const dir of documentedModules()) {
          const check = await run(terraformDocs, ['--config', join(repoRoot, '.terraform-docs.yml'), '--output-check', dir], repoRoot);
          if (check.status !== 0) stale.push(`${relative(repoRoot, dir)}: ${check.output.trim()}`);
        }
        return stale;
      }),
    tflint: () =>
      once('tflint', async () => {
        const tflint = tool('TFLINT_BIN', 'tflint');
        const config = `--config=${join(repoRoot, '.tflint.hcl')}`;
        const version = await run(tflint, ['--version', config], infraDir);
        const lint = await run(tflint, ['--recursive', config, '--format=compact', '--no-color'], infraDir);
        return { version, lint };
      }),
    checkov: (scan: CheckovScan) =>
      once(`checkov ${scan}`, async () => {
        const checkov = process.env.CHECKOV_BIN ?? join(repoRoot, '.cache/venv-checkov/bin/checkov');
        expect(existsSync(checkov), `checkov not found at ${checkov}: run make setup`).to.equal(true);
        return run(checkov, ['--config-file', '.checkov.yaml', ...checkovScans[scan], '--output', 'json'], repoRoot);
      }),
  };

  before(function () {
    // Queue everything now: the two checkov scans first (single-threaded and among the longest, so that
    // neither finishes alone at the end), then the others in the order the tests ask for them, the largest
    // configurations (most modules called, directly or not: the stack, then the pipelines) first.
    for (const scan of Object.keys(checkovScans) as CheckovScan[]) gates.checkov(scan);
    gates.fmt();
    gates.terraformDocs();
    gates.tflint();
    const size = new Map(configurations.map((dir) => [dir, modulesCalled(dir)]));
    for (const dir of [...configurations].sort((a, b) => size.get(b)! - size.get(a)!)) gates.configuration(dir);
  });

  after(function () {
    const slowest = [...seconds].sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(`      ${jobs} at a time; slowest gates: ${slowest.map(([key, s]) => `${key} ${s.toFixed(1)} s`).join(', ')}`);
  });

  it('finds the root stack and every module', function () {
    const names = configurations.map((dir) => relative(infraDir, dir) || '.');
    expect(names).to.include.members([
      '.',
      'stack',
      'pipelines/storage-first',
      'pipelines/etl',
      'pipelines/notes',
      'modules/apigw',
      'modules/s3',
      'modules/sqs-with-dlq',
      'modules/cloudwatch-alarms',
      'modules/lambda-function',
      'modules/kms-key',
    ]);
  });

  it('terraform fmt -check finds nothing to reformat', async function () {
    const { status, output } = await gates.fmt();
    expect(status, `files need terraform fmt:\n${output}`).to.equal(0);
  });

  describe('terraform validate', function () {
    for (const dir of configurations) {
      const name = nameOf(dir);
      it(`${name} is valid`, async function () {
        const { init, validate } = await gates.configuration(dir);
        expect(init.status, `terraform init failed in ${name}:\n${init.output}`).to.equal(0);
        expect(validate?.status, `terraform validate failed in ${name}:\n${validate?.output}`).to.equal(0);
      });

      if (existsSync(join(dir, 'tests'))) {
        it(`${name} passes its terraform tests`, async function () {
          const { init, test } = await gates.configuration(dir);
          expect(init.status, `terraform init failed in ${name} (no test run):\n${init.output}`).to.equal(0);
          expect(test?.status, `terraform test failed in ${name}:\n${test?.output}`).to.equal(0);
          expect(test?.output).to.match(/Success! \d+ passed, 0 failed/);
        });
      }
    }
  });

  it('module READMEs carry the tables terraform-docs writes today', async function () {
    const stale = await gates.terraformDocs();
    expect(stale, 'stale README tables (run make docs)').to.deep.equal([]);
  });

  it('tflint with the AWS ruleset finds nothing in any configuration', async function () {
    const { version, lint } = await gates.tflint();
    expect(version.output, 'the AWS ruleset is not loaded').to.match(/\+ ruleset\.aws \(\d+\.\d+\.\d+\)/);
    expect(lint.status, `tflint findings:\n${lint.output}`).to.equal(0);
  });

  for (const scan of Object.keys(checkovScans) as CheckovScan[]) {
    it(`checkov finds no failed check in ${scan}`, async function () {
      const { stdout, output } = await gates.checkov(scan);
      expect(stdout.trim().startsWith('{'), `checkov printed no report:\n${output}`).to.equal(true);
      const report = JSON.parse(stdout) as {
        summary: { passed: number; failed: number; skipped: number };
        results: { failed_checks: { check_id: string; resource: string; file_path: string }[] };
      };
      const failures = report.results.failed_checks.map((c) => `${c.check_id} ${c.resource} (${c.file_path})`);
      console.log(`      checkov ${scan}: ${report.summary.passed} passed, ${report.summary.failed} failed, ${report.summary.skipped} skipped`);
      expect(failures, 'checkov failed checks').to.deep.equal([]);
      expect(report.summary.passed).to.be.greaterThan(0);
    });
  }
});
