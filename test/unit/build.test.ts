import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { unzipSync } from 'fflate';

const repoRoot = process.cwd();

/** A throwaway project inside the repo (so node_modules resolves) with one handler entry. */
function fixtureProject(): string {
  mkdirSync(join(repoRoot, '.cache'), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, '.cache', 'build-test-'));
  mkdirSync(join(dir, 'functions/demo'), { recursive: true });
  mkdirSync(join(dir, 'functions/lib'), { recursive: true });
  writeFileSync(join(dir, 'functions/lib/greet.ts'), 'export const greet = (name: string): string => `hello ${name}`;\n');
  writeFileSync(join(dir, 'functions/lib/not-an-entry.handler.ts'), 'export const handler = () => 1;\n');
  writeFileSync(join(dir, 'functions/demo/core.ts'), 'export const core = 1;\n');
  writeFileSync(
    join(dir, 'functions/demo/hello.handler.ts'),
    "import { greet } from '../lib/greet';\nexport const handler = async (event: { name: string }) => greet(event.name);\n",
  );
  return dir;
}

function build(cwd: string, tz: string, args: string[] = []) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'build.mjs'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, TZ: tz } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('build.mjs', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = fixtureProject()));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('zips each functions/<pipeline>/<name>.handler.ts as <pipeline>-<name>.zip with one index.js', function () {
    const { status, output } = build(dir, 'UTC');
    expect(status, output).to.equal(0);
    expect(output).to.match(/demo-hello\s+[\d.]+ KB/);
    const files = unzipSync(readFileSync(join(dir, 'dist/demo-hello.zip')));
    expect(Object.keys(files)).to.deep.equal(['index.js']);
    const manifest = JSON.parse(readFileSync(join(dir, 'dist/manifest.json'), 'utf8')) as { artifacts: { name: string }[] };
    expect(manifest.artifacts.map((a) => a.name)).to.deep.equal(['demo-hello']);
  });

  it('writes a manifest whose hashes match the zip (hex and Terraform base64)', function () {
    const zip = readFileSync(join(dir, 'dist/demo-hello.zip'));
    const [artifact] = (JSON.parse(readFileSync(join(dir, 'dist/manifest.json'), 'utf8')) as { artifacts: Record<string, unknown>[] }).artifacts;
    expect(artifact).to.deep.include({
      zip: 'dist/demo-hello.zip',
      entry: 'functions/demo/hello.handler.ts',
      bytes: zip.length,
      sha256: createHash('sha256').update(zip).digest('hex'),
      base64sha256: createHash('sha256').update(zip).digest('base64'),
    });
  });

  it('produces identical bytes across rebuilds and time zones', function () {
    const first = readFileSync(join(dir, 'dist/demo-hello.zip'));
    for (const tz of ['America/New_York', 'Asia/Tokyo']) {
      expect(build(dir, tz).status).to.equal(0);
      expect(readFileSync(join(dir, 'dist/demo-hello.zip')).equals(first), `bytes differ with TZ=${tz}`).to.equal(true);
    }
    expect(build(dir, 'Asia/Tokyo', ['--check']).status).to.equal(0);
  });

  it('--check fails when dist/ is stale', function () {
    writeFileSync(join(dir, 'dist/demo-hello.zip'), 'stale');
    expect(build(dir, 'UTC', ['--check']).status).to.equal(1);
    expect(build(dir, 'UTC').status).to.equal(0);
  });

  it('bundles a working handler', async function () {
    const unpacked = join(dir, 'unpacked');
    mkdirSync(unpacked, { recursive: true });
    writeFileSync(join(unpacked, 'index.js'), unzipSync(readFileSync(join(dir, 'dist/demo-hello.zip')))['index.js']!);
    const { handler } = createRequire(import.meta.url)(join(unpacked, 'index.js')) as { handler: (e: { name: string }) => Promise<string> };
    expect(await handler({ name: 'lambda' })).to.equal('hello lambda');
  });

  it('keeps source maps out of the zip, with relative sources', function () {
    const map = JSON.parse(readFileSync(join(dir, 'dist/demo-hello.js.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.every((s) => !s.startsWith('/'))).to.equal(true);
  });

  it('fails with a clear message on a compile error', function () {
    writeFileSync(join(dir, 'functions/demo/broken.handler.ts'), 'export const handler = (;\n');
    const { status, output } = build(dir, 'UTC');
    rmSync(join(dir, 'functions/demo/broken.handler.ts'));
    expect(status).to.equal(1);
    expect(output).to.match(/build failed/);
  });
});
