// Bundles every Lambda entry (functions/<pipeline>/<name>.handler.ts) with esbuild and writes one
// deterministic zip per handler to dist/, plus dist/manifest.json and a size table; fails when a zip
// passes its size budget (BUDGETS below).
// Usage: node build.mjs [--check]   (--check rebuilds in memory and fails if dist/ differs)
// The repo root is the working directory, so the unit test can build a fixture project.
process.env.TZ = 'UTC'; // fflate writes zip timestamps in local time; see also FIXED_MTIME

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

const root = process.cwd();
const functionsDir = join(root, 'functions');
const distDir = join(root, 'dist');
const args = process.argv.slice(2);
const checkOnly = args.includes('--check');
// Local midnight on 1980-01-01 (the DOS epoch): fflate reads the local fields, so this encodes the
// same DOS timestamp whatever TZ is, even without the pin above.
const FIXED_MTIME = new Date(1980, 0, 1);
const FILE_MODE = 0o100644; // regular file, rw-r--r--

// Zipped-size budgets, the only place they are set. A bundle's budget depends on how many service
// clients its metafile shows: each AWS SDK client (@aws-sdk/client-* packages) brings its serializers on
// top of the shared @smithy core and credential chain, and a client for a service outside the SDK (ioredis
// for ElastiCache Redis) brings its own protocol code. A bundle with no client gets the one-client budget.
const BUDGETS = [
  { maxClients: 1, bytes: 150 * 1024 },
  { maxClients: Infinity, bytes: 250 * 1024 },
];
const budgetFor = (clients) => BUDGETS.find((b) => clients.length <= b.maxClients).bytes;

// Every SDK client imports the default credential chain; Lambda only ever uses its first link, the
// environment variables, so the bundles get that link alone (why, and the saving: functions/lib/env-credentials.ts).
// Resolved from this file, not the working directory, so fixture projects get it too.
const envCredentials = fileURLToPath(new URL('./functions/lib/env-credentials.ts', import.meta.url));
const credentialsFromEnvOnly = {
  name: 'credentials-from-env-only',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({ path: envCredentials }));
  },
};


const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0); // not localeCompare: locale-independent

function findEntries() {
  if (!existsSync(functionsDir)) return [];
  return readdirSync(functionsDir, { withFileTypes: true })
    .filter((dir) => dir.isDirectory() && dir.name !== 'lib')
    .flatMap((dir) =>
      readdirSync(join(functionsDir, dir.name), { withFileTypes: true })
        .filter((file) => file.isFile() && file.name.endsWith('.handler.ts'))
        .map((file) => ({
          name: `${dir.name}-${file.name.slice(0, -'.handler.ts'.length)}`,
          entry: `functions/${dir.name}/${file.name}`,
        })),
    )
    .sort(byName);
}

// Everything but the entry and the working directory; bench/handlers.ts builds its SDK-floor bundles
// with it too, so they compare with the handlers.
export const esbuildOptions = {
  outfile: 'index.js',
  bundle: true, // includes the AWS SDK: the deployed code is the tested code
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  treeShaking: true,
  mainFields: ['module', 'main'], // ES builds of the SDK tree-shake better
  legalComments: 'none',
  sourcemap: 'external', // index.js.map without a sourceMappingURL comment in index.js
  sourcesContent: false,
  metafile: true,
  write: false,
  logLevel: 'silent',
  plugins: [credentialsFromEnvOnly],
};

async function bundle({ entry }) {
  const result = await build({
    ...esbuildOptions,
    absWorkingDir: root, // output and map paths are relative to it
    entryPoints: [entry],
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('index.js')).contents;
  const map = result.outputFiles.find((f) => f.path.endsWith('index.js.map')).contents;
  const leaked = JSON.parse(Buffer.from(map).toString('utf8')).sources.filter((s) => isAbsolute(s) || s.startsWith('file:'));
  if (leaked.length > 0 || (root.length > 1 && Buffer.from(code).includes(root))) {
    throw new Error(`${entry}: absolute path in the bundle or its source map (${leaked[0] ?? root})`);
  }
  return { code, map, clients: serviceClients(result.metafile) };
}

/** The service clients (@aws-sdk/client-* packages, ioredis) that put code into the bundle, sorted. */
function serviceClients(metafile) {
  const [output] = Object.entries(metafile.outputs).filter(([path]) => path.endsWith('index.js'));
  const clients = Object.entries(output[1].inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => /(?:^|\/)node_modules\/(?:@aws-sdk\/(client-[^/]+)|(ioredis))\//.exec(path)?.slice(1).find(Boolean))
    .filter((name) => name !== undefined);
  return [...new Set(clients)].sort();
}

// Single entry, fixed mtime, mode, OS and level: the same code gives the same bytes anywhere.
const zip = (code) => zipSync({ 'index.js': [code, { mtime: FIXED_MTIME, os: 3, attrs: (FILE_MODE << 16) >>> 0 }] }, { level: 9 });

// make test builds again in one test chain while the other runs functions from dist/: a file is left
// alone when its bytes are unchanged, and otherwise replaced whole by a rename, never seen half written.
function replaceFile(path, bytes) {
  if (existsSync(path) && readFileSync(path).equals(bytes)) return;
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

const digest = (bytes, encoding) => createHash('sha256').update(bytes).digest(encoding);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

function printTable(rows) {
  const header = ['artifact', 'clients', 'zip', 'budget', 'unzipped', 'sha256'];
  const lines = rows.map((r) => [r.name, String(r.clients.length), kb(r.bytes), kb(r.budget), kb(r.unzipped), r.sha256.slice(0, 12)]);
  const sum = (key) => rows.reduce((s, r) => s + r[key], 0);
  const total = ['total', '', kb(sum('bytes')), '', kb(sum('unzipped')), ''];
  const widths = header.map((_, i) => Math.max(...[header, ...lines, total].map((line) => line[i].length)));
  const format = (line) => line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  console.log([format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(format), format(total)].join('\n'));
}

async function main() {
  const entries = findEntries();
  if (entries.length === 0) console.log('build: no handler entries found (functions/<pipeline>/<name>.handler.ts); writing an empty manifest');

  // allSettled, not all: report every broken entry in one run, not just the first.
  const settled = await Promise.allSettled(entries.map(bundle));
  const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ ...entries[i], error: s.reason }] : []));
  if (failed.length > 0) {
    for (const { entry, error } of failed) {
      const messages = error.errors?.length
        ? error.errors.map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text))
        : [error.message];
      console.error(`build failed: ${entry}\n${messages.map((m) => `  ${m}`).join('\n')}`);
    }
    process.exit(1);
  }

  const built = settled.map((s, i) => ({ ...entries[i], ...s.value, zip: zip(s.value.code) }));
  const artifacts = built.map((b) => ({
    name: b.name,
    entry: b.entry,
    zip: `dist/${b.name}.zip`,
    bytes: b.zip.length,
    clients: b.clients, // what sets the budget; bench/handlers.ts reads it for the load-time target
    sha256: digest(b.zip, 'hex'),
    base64sha256: digest(b.zip, 'base64'),
  }));
  const manifest = `${JSON.stringify({ artifacts }, null, 2)}\n`;
  const rows = artifacts.map((a, i) => ({ ...a, budget: budgetFor(a.clients), unzipped: built[i].code.length }));
  const overBudget = rows
    .filter((r) => r.bytes > r.budget)
    .map((r) => `${r.zip} is ${kb(r.bytes)}, over its budget of ${kb(r.budget)} (${r.clients.length} service client(s)${r.clients.length ? `: ${r.clients.join(', ')}` : ''})`);
  const wanted = new Set(built.flatMap((b) => [`${b.name}.zip`, `${b.name}.js.map`]));
  // Only our own kinds of file: anything else in dist/ is left alone.
  const stale = existsSync(distDir) ? readdirSync(distDir).filter((f) => /\.(zip|js\.map)$/.test(f) && !wanted.has(f)) : [];

  if (checkOnly) {
    const read = (file) => (existsSync(join(distDir, file)) ? readFileSync(join(distDir, file)) : undefined);
    const problems = [
      ...built.filter((b) => !read(`${b.name}.zip`)?.equals(b.zip)).map((b) => `dist/${b.name}.zip differs`),
      ...stale.filter((f) => f.endsWith('.zip')).map((f) => `dist/${f} has no entry`),
      ...(read('manifest.json')?.toString('utf8') === manifest ? [] : ['dist/manifest.json differs']),
    ];
    if (problems.length > 0) console.error(`build --check: dist/ is not what a fresh build gives (run node build.mjs):\n  ${problems.join('\n  ')}`);
    if (overBudget.length > 0) console.error(`build --check: over the size budget (set in build.mjs, BUDGETS):\n  ${overBudget.join('\n  ')}`);
    if (problems.length > 0 || overBudget.length > 0) process.exit(1);
    console.log(`build --check: ${built.length} zip(s) and manifest identical to a fresh build, every zip within its budget`);
    return;
  }

  if (built.length > 0) printTable(rows);
  if (overBudget.length > 0) {
    console.error(`build failed: over the size budget (set in build.mjs, BUDGETS); dist/ left as it was:\n  ${overBudget.join('\n  ')}`);
    process.exit(1);
  }

  mkdirSync(distDir, { recursive: true });
  for (const file of stale) rmSync(join(distDir, file));
  for (const b of built) {
    replaceFile(join(distDir, `${b.name}.zip`), b.zip);
    replaceFile(join(distDir, `${b.name}.js.map`), b.map);
  }
  replaceFile(join(distDir, 'manifest.json'), Buffer.from(manifest));
  console.log(`build: ${artifacts.length} artifact(s) in dist/${stale.length ? `, removed stale ${stale.join(', ')}` : ''}`);
}

// Run as a script (node build.mjs), not when bench/handlers.ts imports esbuildOptions.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (args.some((a) => a !== '--check')) {
    console.error(`build: unknown argument(s) ${args.filter((a) => a !== '--check').join(' ')}; usage: node build.mjs [--check]`);
    process.exit(2);
  }
  main().catch((error) => {
    console.error(`build failed: ${error.message}`);
    process.exit(1);
  });
}
