import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'chai';

const repoRoot = process.cwd();
const infraDir = join(repoRoot, 'infra');

function run(command: string, args: string[], cwd: string): { status: number; stdout: string; output: string } {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    // BC_SKIP_MAPPING stops checkov from fetching guideline links from the internet.
    // TFLINT_PLUGIN_DIR: where scripts/setup.sh installs the AWS ruleset.
    env: {
      TFLINT_PLUGIN_DIR: join(repoRoot, '.cache/tflint.d/plugins'),
      ...process.env,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      BC_SKIP_MAPPING: 'TRUE',
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

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

describe('infra gates', function () {
  const configurations = terraformConfigurations(infraDir);

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

  it('terraform fmt -check finds nothing to reformat', function () {
    const { status, output } = run('terraform', ['fmt', '-check', '-recursive', '-diff'], infraDir);
    expect(status, `files need terraform fmt:\n${output}`).to.equal(0);
  });

  describe('terraform validate', function () {
    for (const dir of configurations) {
      const name = relative(infraDir, dir) || 'root';
      it(`${name} is valid`, function () {
        const init = run('terraform', ['init', '-backend=false', '-input=false', '-no-color'], dir);
        expect(init.status, `terraform init failed in ${name}:\n${init.output}`).to.equal(0);
        const validate = run('terraform', ['validate', '-no-color'], dir);
        expect(validate.status, `terraform validate failed in ${name}:\n${validate.output}`).to.equal(0);
      });

      if (existsSync(join(dir, 'tests'))) {
        it(`${name} passes its terraform tests`, function () {
          const test = run('terraform', ['test', '-no-color'], dir);
          expect(test.status, `terraform test failed in ${name}:\n${test.output}`).to.equal(0);
          expect(test.output).to.match(/Success! \d+ passed, 0 failed/);
        });
      }
    }
  });

  it('module READMEs carry the tables terraform-docs writes today', function () {
    const terraformDocs = tool('TERRAFORM_DOCS_BIN', 'terraform-docs');
    const stale = documentedModules().flatMap((dir) => {
      const check = run(terraformDocs, ['--config', join(repoRoot, '.terraform-docs.yml'), '--output-check', dir], repoRoot);
      return check.status === 0 ? [] : [`${relative(repoRoot, dir)}: ${check.output.trim()}`];
    });
    expect(stale, 'stale README tables (run make docs)').to.deep.equal([]);
  });

  it('tflint with the AWS ruleset finds nothing in any configuration', function () {
    const tflint = tool('TFLINT_BIN', 'tflint');
    const config = `--config=${join(repoRoot, '.tflint.hcl')}`;
    const version = run(tflint, ['--version', config], infraDir);
    expect(version.output, 'the AWS ruleset is not loaded').to.match(/\+ ruleset\.aws \(\d+\.\d+\.\d+\)/);
    const lint = run(tflint, ['--recursive', config, '--format=compact', '--no-color'], infraDir);
    expect(lint.status, `tflint findings:\n${lint.output}`).to.equal(0);
  });

  it('checkov finds no failed check', function () {
    const checkov = process.env.CHECKOV_BIN ?? join(repoRoot, '.cache/venv-checkov/bin/checkov');
    expect(existsSync(checkov), `checkov not found at ${checkov}: run make setup`).to.equal(true);
    const { stdout, output } = run(checkov, ['--config-file', '.checkov.yaml', '--output', 'json'], repoRoot);
    expect(stdout.trim().startsWith('{'), `checkov printed no report:\n${output}`).to.equal(true);
    const report = JSON.parse(stdout) as {
      summary: { passed: number; failed: number; skipped: number };
      results: { failed_checks: { check_id: string; resource: string; file_path: string }[] };
    };
    const failures = report.results.failed_checks.map((c) => `${c.check_id} ${c.resource} (${c.file_path})`);
    console.log(`      checkov: ${report.summary.passed} passed, ${report.summary.failed} failed, ${report.summary.skipped} skipped`);
    expect(failures, 'checkov failed checks').to.deep.equal([]);
    expect(report.summary.passed).to.be.greaterThan(0);
  });
});
