import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { unzipSync } from 'fflate';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

interface Artifact {
  name: string;
  entry: string;
  zip: string;
  bytes: number;
  clients: string[];
  sha256: string;
  base64sha256: string;
}

/** A throwaway project under the repo's .cache/, so its imports resolve to the repo's node_modules. */
function fixtureProject(files: Record<string, string>): string {
  mkdirSync(join(repoRoot, '.cache'), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, '.cache', 'test-build-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Runs build.mjs as CI would, with the fixture as working directory (= repo root). */
function build(cwd: string, tz: string, args: string[] = []): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(repoRoot, 'build.mjs'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, TZ: tz } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const readManifest = (dir: string): Artifact[] =>
  (JSON.parse(readFileSync(join(dir, 'dist/manifest.json'), 'utf8')) as { artifacts: Artifact[] }).artifacts;

/** The header fields fflate fills from mtime/os/attrs, read from the zip's only entry. */
function zipHeaders(zip: Buffer) {
  const eocd = zip.length - 22; // fflate writes no archive comment
  expect(zip.readUInt32LE(eocd)).to.equal(0x06054b50);
  const central = zip.readUInt32LE(eocd + 16);
  expect(zip.readUInt32LE(central)).to.equal(0x02014b50);
  const local = zip.readUInt32LE(central + 42);
  expect(zip.readUInt32LE(local)).to.equal(0x04034b50);
  return {
    entries: zip.readUInt16LE(eocd + 10),
    madeByOs: zip.readUInt8(central + 5),
    centralTime: zip.readUInt16LE(central + 12),
    centralDate: zip.readUInt16LE(central + 14),
    unixMode: zip.readUInt32LE(central + 38) >>> 16,
    localTime: zip.readUInt16LE(local + 10),
    localDate: zip.readUInt16LE(local + 12),
  };
}

describe('build.mjs', function () {
  this.timeout(60_000);
  let dir: string;
  const zipPath = () => join(dir, 'dist/demo-hello.zip');

  before(() => {
    dir = fixtureProject({
      'functions/lib/greet.ts': 'export const greet = (name: string): string => `hello ${name}`;\n',
      'functions/lib/not-an-entry.handler.ts': 'export const handler = () => 1;\n',
      'functions/demo/core.ts': 'export const core = 1;\n',
      'functions/demo/hello.handler.ts':
        "import { greet } from '../lib/greet';\nexport const handler = async (event: { name: string }) => greet(event.name);\n",
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('zips each functions/<pipeline>/<name>.handler.ts as dist/<pipeline>-<name>.zip holding only index.js', function () {
    const { status, output } = build(dir, 'UTC');
    expect(status, output).to.equal(0);
    expect(output).to.match(/demo-hello\s+0\s+[\d.]+ KB\s+150\.0 KB\s+[\d.]+ KB\s+[0-9a-f]{12}/);
    expect(output).to.match(/^total\s+[\d.]+ KB/m);
    expect(Object.keys(unzipSync(readFileSync(zipPath())))).to.deep.equal(['index.js']);
    expect(readManifest(dir).map((a) => a.name)).to.deep.equal(['demo-hello']);
  });

  it('writes a manifest whose hashes match the zip (hex, and base64 as Terraform filebase64sha256)', function () {
    const zip = readFileSync(zipPath());
    expect(readManifest(dir)).to.deep.equal([
      {
        name: 'demo-hello',
        entry: 'functions/demo/hello.handler.ts',
        zip: 'dist/demo-hello.zip',
        bytes: zip.length,
        clients: [],
        sha256: createHash('sha256').update(zip).digest('hex'),
        base64sha256: createHash('sha256').update(zip).digest('base64'),
      },
    ]);
    expect(readFileSync(join(dir, 'dist/manifest.json'), 'utf8')).to.match(/\n}\n$/);
  });

  it('fixes the entry mtime (1980-01-01 00:00) and mode (unix 0644)', function () {
    const headers = zipHeaders(readFileSync(zipPath()));
    const dosDate = (0 << 9) | (1 << 5) | 1; // years since 1980, month, day
    expect(headers).to.deep.equal({
      entries: 1,
      madeByOs: 3,
      centralTime: 0,
      centralDate: dosDate,
      unixMode: 0o100644,
      localTime: 0,
      localDate: dosDate,
    });
  });

  it('produces identical bytes across rebuilds and time zones', function () {
    const first = readFileSync(zipPath());
    for (const tz of ['UTC', 'America/New_York', 'Asia/Tokyo']) {
      const { status, output } = build(dir, tz);
      expect(status, output).to.equal(0);
      expect(readFileSync(zipPath()).equals(first), `bytes differ with TZ=${tz}`).to.equal(true);
    }
    const check = build(dir, 'Asia/Tokyo', ['--check']);
    expect(check.status, check.output).to.equal(0);
  });

  it('a rebuild leaves unchanged files as they are and replaces a changed one whole (a new file, by rename), leaving no temporary file', function () {
    const inode = (file: string) => statSync(join(dir, 'dist', file)).ino;
    const before = { zip: inode('demo-hello.zip'), manifest: inode('manifest.json') };
    expect(build(dir, 'UTC').status).to.equal(0);
    expect({ zip: inode('demo-hello.zip'), manifest: inode('manifest.json') }, 'same bytes: not rewritten').to.deep.equal(before);
    const good = readFileSync(zipPath());
    writeFileSync(zipPath(), 'changed');
    const changed = inode('demo-hello.zip');
    expect(build(dir, 'UTC').status).to.equal(0);
    expect(readFileSync(zipPath()).equals(good)).to.equal(true);
    expect(inode('demo-hello.zip'), 'replaced by a rename: a reader holding the old file never sees it half written').to.not.equal(changed);
    expect(readdirSync(join(dir, 'dist')).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });

  it('--check fails when dist/ is stale, without touching dist/', function () {
    writeFileSync(zipPath(), 'stale');
    const check = build(dir, 'UTC', ['--check']);
    expect(check.status).to.equal(1);
    expect(check.output).to.include('dist/demo-hello.zip differs');
    expect(readFileSync(zipPath(), 'utf8')).to.equal('stale');
    expect(build(dir, 'UTC').status).to.equal(0);
  });

  it('bundles index.js as a CommonJS module exporting a working handler', async function () {
    const unpacked = join(dir, 'unpacked');
    mkdirSync(unpacked, { recursive: true });
    writeFileSync(join(unpacked, 'index.js'), unzipSync(readFileSync(zipPath()))['index.js']!);
    const mod = createRequire(import.meta.url)(join(unpacked, 'index.js')) as { handler: unknown };
    expect(mod.handler).to.be.a('function');
    const handler = mod.handler as (event: { name: string }) => Promise<string>;
    expect(await handler({ name: 'lambda' })).to.equal('hello lambda');
  });

  it('keeps the source map beside the zip, not in it, with relative sources and no absolute paths', function () {
    const code = Buffer.from(unzipSync(readFileSync(zipPath()))['index.js']!).toString('utf8');
    expect(code).not.to.include('sourceMappingURL');
    expect(code).not.to.include(dir);
    const map = JSON.parse(readFileSync(join(dir, 'dist/demo-hello.js.map'), 'utf8')) as { sources: string[] };
    expect(map.sources).to.include('functions/lib/greet.ts');
    expect(map.sources.every((s) => !s.startsWith('/') && !s.startsWith('file:'))).to.equal(true);
  });

  it('fails with a clear message naming the file on a compile error', function () {
    writeFileSync(join(dir, 'functions/demo/broken.handler.ts'), 'export const handler = (;\n');
    const { status, output } = build(dir, 'UTC');
    rmSync(join(dir, 'functions/demo/broken.handler.ts'));
    expect(status).to.equal(1);
    expect(output).to.match(/build failed: functions\/demo\/broken\.handler\.ts\n\s+functions\/demo\/broken\.handler\.ts:1:\d+/);
  });

  it('with no entries writes an empty manifest and removes stale zips and maps', function () {
    const empty = fixtureProject({ 'functions/lib/x.ts': 'export const x = 1;\n', 'dist/gone.zip': 'old', 'dist/gone.js.map': '{}', 'dist/notes.txt': 'kept' });
    try {
      const { status, output } = build(empty, 'UTC');
      expect(status, output).to.equal(0);
      expect(output).to.include('no handler entries');
      expect(readManifest(empty)).to.deep.equal([]);
      expect(existsSync(join(empty, 'dist/gone.zip'))).to.equal(false);
      expect(existsSync(join(empty, 'dist/gone.js.map'))).to.equal(false);
      expect(existsSync(join(empty, 'dist/notes.txt'))).to.equal(true);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('bundles the environment-variable link of the SDK credential chain only (functions/lib/env-credentials.ts)', function () {
    const project = fixtureProject({
      'functions/aws/creds.handler.ts':
        "import { SQSClient } from '@aws-sdk/client-sqs';\nconst sqs = new SQSClient({ region: 'us-east-1' });\nexport const handler = async () => sqs.config.credentials();\n",
    });
    try {
      const { status, output } = build(project, 'UTC');
      expect(status, output).to.equal(0);
      const index = join(project, 'index.cjs'); // the repo's package.json says "type": "module"
      writeFileSync(index, unzipSync(readFileSync(join(project, 'dist/aws-creds.zip')))['index.js']!);
      expect(readFileSync(index, 'utf8'), 'the default chain\'s other links').not.to.match(/defaultProvider::from(Ini|SSO|TokenFile)/);
      const call = "require(process.argv[1]).handler().then((c) => console.log(JSON.stringify(c)), (e) => { console.log(e.name + ': ' + e.message); process.exitCode = 3; })";
      const run = (env: Record<string, string>) => spawnSync(process.execPath, ['-e', call, index], { encoding: 'utf8', env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env } });
      const found = run({ AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
      expect(found.status, found.stderr).to.equal(0);
      expect(JSON.parse(found.stdout)).to.include({ accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'token' });
      const missing = run({ AWS_PROFILE: 'default' });
      expect(missing.status, missing.stderr).to.equal(3);
      expect(missing.stdout).to.match(/^CredentialsProviderError: no AWS credentials in the environment \(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  describe('size budgets', function () {
    /** Incompressible text (base64 of a fixed pseudo-random sequence): about 6 bits per character zipped. */
    function noise(characters: number): string {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      let state = 42;
      let text = '';
      for (let i = 0; i < characters; i += 1) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        text += alphabet[state >>> 26];
      }
      return text;
    }

    it('fails the build when a zip passes its budget, naming it, and leaves dist/ as it was', function () {
      // 260,000 characters zip to about 190 KB: over the 150 KB of a bundle without SDK clients.
      const project = fixtureProject({
        'functions/big/blob.handler.ts': `const blob = '${noise(260_000)}';\nexport const handler = async () => blob.length;\n`,
        'functions/demo/hello.handler.ts': 'export const handler = async () => 1;\n',
      });
      try {
        const { status, output } = build(project, 'UTC');
        expect(status, output).to.equal(1);
        expect(output).to.match(/big-blob\s+0\s+1\d\d\.\d KB\s+150\.0 KB/);
        expect(output).to.match(/build failed: over the size budget .*\n\s+dist\/big-blob\.zip is 1\d\d\.\d KB, over its budget of 150\.0 KB \(0 service client\(s\)\)/);
        expect(output).not.to.match(/dist\/demo-hello\.zip is/);
        expect(existsSync(join(project, 'dist'))).to.equal(false);
        const check = build(project, 'UTC', ['--check']);
        expect(check.status).to.equal(1);
        expect(check.output).to.match(/build --check: over the size budget .*\n\s+dist\/big-blob\.zip is 1\d\d\.\d KB, over its budget of 150\.0 KB/);
      } finally {
        rmSync(project, { recursive: true, force: true });
      }
    });

    it('sets the budget from the service clients in the bundle (@aws-sdk/client-* packages, ioredis): one 150 KB, two or more 250 KB', function () {
      const project = fixtureProject({
        'functions/aws/one.handler.ts': "import { SQSClient } from '@aws-sdk/client-sqs';\nconst sqs = new SQSClient({});\nexport const handler = async () => sqs.config.region();\n",
        'functions/aws/two.handler.ts':
          "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { SQSClient } from '@aws-sdk/client-sqs';\n" +
          'const clients = [new SQSClient({}), new DynamoDBClient({})];\nexport const handler = async () => Promise.all(clients.map((c) => c.config.region()));\n',
        'functions/aws/types-only.handler.ts': "import type { SQSClient } from '@aws-sdk/client-sqs';\nexport const handler = async (sqs?: SQSClient) => sqs === undefined;\n",
        'functions/aws/redis.handler.ts':
          "import { Redis } from 'ioredis';\nimport { SQSClient } from '@aws-sdk/client-sqs';\n" +
          "const clients = [new SQSClient({}), new Redis({ lazyConnect: true })];\nexport const handler = async () => clients.length;\n",
      });
      try {
        const { status, output } = build(project, 'UTC');
        expect(status, output).to.equal(0);
        expect(output).to.match(/aws-one\s+1\s+[\d.]+ KB\s+150\.0 KB/);
        expect(output).to.match(/aws-two\s+2\s+[\d.]+ KB\s+250\.0 KB/);
        expect(output).to.match(/aws-types-only\s+0\s+[\d.]+ KB\s+150\.0 KB/);
        expect(output, 'ioredis is a service client too (ElastiCache Redis)').to.match(/aws-redis\s+2\s+[\d.]+ KB\s+250\.0 KB/);
        expect(Object.fromEntries(readManifest(project).map((a) => [a.name, a.clients])), 'the manifest names them').to.deep.equal({
          'aws-one': ['client-sqs'],
          'aws-redis': ['client-sqs', 'ioredis'],
          'aws-two': ['client-dynamodb', 'client-sqs'],
          'aws-types-only': [],
        });
      } finally {
        rmSync(project, { recursive: true, force: true });
      }
    });
  });
});
