import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { snapshotKey } from '../../../local/snapshot';

describe('local/snapshot: the key of a saved emulator', function () {
  let root: string;
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  const variables = { emulator_endpoint: 'http://127.0.0.1:5010', name_prefix: 'local' };
  const key = (vars: Record<string, string> = variables) => snapshotKey({ repoRoot: root, artifactsDir: join(root, 'dist'), variables: vars });

  beforeEach(function () {
    root = mkdtempSync(join(tmpdir(), 'snapshot-key-'));
    write('infra/local/main.tf', 'module "stack" {}');
    write('infra/modules/queue/main.tf', 'resource "aws_sqs_queue" "this" {}');
    write('dist/manifest.json', '{}');
    write('dist/processor.zip', 'zip');
    write('local/emulator/moto_shim.py', 'patches');
    write('local/stack.ts', 'runtime');
    write('.cache/venv-moto/.stamp', 'moto[server]==5.2.5');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('changes with any file under infra/ or dist/, the emulator Python, moto, the endpoint or the name prefix', function () {
    const changes: [string, () => void][] = [
      ['a module', () => write('infra/modules/queue/main.tf', 'resource "aws_sqs_queue" "this" { delay_seconds = 1 }')],
      ['a new file under infra/', () => write('infra/modules/queue/variables.tf', '')],
      ['a zip', () => write('dist/processor.zip', 'other zip')],
      ['a shim patch', () => write('local/emulator/moto_shim.py', 'more patches')],
      ['moto', () => write('.cache/venv-moto/.stamp', 'moto[server]==5.2.6')],
    ];
    const seen = new Set([key()]);
    for (const [what, change] of changes) {
      change();
      const next = key();
      expect(seen.has(next), what).to.equal(false);
      seen.add(next);
    }
    expect(seen.has(key({ ...variables, emulator_endpoint: 'http://127.0.0.1:5011' })), 'another port').to.equal(false);
    expect(seen.has(key({ ...variables, name_prefix: 'e2e' })), 'another prefix').to.equal(false);
  });

  it('stays the same for Terraform data dirs, state files and the TypeScript runtime', function () {
    const before = key();
    write('infra/local/.terraform/modules/modules.json', '{}');
    write('infra/local/terraform.tfstate', '{}');
    write('infra/local/terraform.tfstate.backup', '{}');
    write('local/stack.ts', 'runtime changed');
    expect(key()).to.equal(before);
  });
});
