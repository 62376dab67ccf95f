// Bundles every Lambda entry (functions/<pipeline>/<name>.handler.ts) with esbuild and writes one
// deterministic zip per handler to dist/, plus dist/manifest.json and a size table.
// Usage: node build.mjs [--check]   (--check rebuilds in memory and fails if dist/ differs)
process.env.TZ = 'UTC'; // fflate encodes mtimes in local time: pin it before any Date is made

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

const root = process.cwd();
const functionsDir = join(root, 'functions');
const distDir = join(root, 'dist');
const checkOnly = process.argv.includes('--check');
const FIXED_MTIME = new Date('1980-01-01T00:00:00Z');
const FILE_MODE = 0o100644; // regular file, rw-r--r--

function findEntries() {
  if (!existsSync(functionsDir)) return [];
  return readdirSync(functionsDir, { withFileTypes: true })
    .filter((dir) => dir.isDirectory() && dir.name !== 'lib')
    .flatMap((dir) =>
      readdirSync(join(functionsDir, dir.name))
        .filter((file) => file.endsWith('.handler.ts'))
        .map((file) => ({
          name: `${dir.name}-${file.slice(0, -'.handler.ts'.length)}`,
          entry: `functions/${dir.name}/${file}`,
        })),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function bundle({ entry }) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: 'index.js',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    treeShaking: true,
    mainFields: ['module', 'main'],
    legalComments: 'none',
    sourcemap: 'external',
    sourcesContent: false,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('index.js'));
  const map = result.outputFiles.find((f) => f.path.endsWith('index.js.map'));
  return { code: code.contents, map: map.contents };
}

function zip(code) {
  // Sorted entries, fixed mtime and mode, fixed level: the same input gives the same bytes anywhere.
  return zipSync(
    { 'index.js': [code, { mtime: FIXED_MTIME, os: 3, attrs: (FILE_MODE << 16) >>> 0 }] },
    { level: 9 },
  );
}

const digest = (bytes, encoding) => createHash('sha256').update(bytes).digest(encoding);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

function printTable(rows) {
  const header = ['artifact', 'zip', 'unzipped', 'sha256'];
  const lines = rows.map((r) => [r.name, kb(r.bytes), kb(r.unzipped), r.sha256.slice(0, 12)]);
  const total = ['total', kb(rows.reduce((s, r) => s + r.bytes, 0)), kb(rows.reduce((s, r) => s + r.unzipped, 0)), ''];
  const all = [header, ...lines, total];
  const widths = header.map((_, i) => Math.max(...all.map((line) => line[i].length)));
  const format = (line) => line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log([format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(format), format(total)].join('\n'));
}

async function main() {
  const entries = findEntries();
  if (entries.length === 0) console.log('build: no handler entries (functions/<pipeline>/<name>.handler.ts) found');

  const built = await Promise.all(
    entries.map(async (e) => {
      const { code, map } = await bundle(e);
      return { ...e, code, map, zip: zip(code) };
    }),
  );

  const artifacts = built.map((b) => ({
    name: b.name,
    entry: b.entry,
    zip: `dist/${b.name}.zip`,
    bytes: b.zip.length,
    sha256: digest(b.zip, 'hex'),
    base64sha256: digest(b.zip, 'base64'),
  }));

  if (checkOnly) {
    const stale = built.filter((b) => !existsSync(join(distDir, `${b.name}.zip`)) || digest(readFileSync(join(distDir, `${b.name}.zip`)), 'hex') !== digest(b.zip, 'hex'));
    if (stale.length > 0) {
      console.error(`build --check: dist/ differs from a fresh build for: ${stale.map((b) => b.name).join(', ')}`);
      process.exit(1);
    }
    console.log(`build --check: ${built.length} zips identical to a fresh build`);
    return;
  }

  mkdirSync(distDir, { recursive: true });
  const keep = new Set(built.flatMap((b) => [`${b.name}.zip`, `${b.name}.js.map`]).concat('manifest.json'));
  for (const file of readdirSync(distDir)) if (!keep.has(file)) rmSync(join(distDir, file));
  for (const b of built) {
    writeFileSync(join(distDir, `${b.name}.zip`), b.zip);
    writeFileSync(join(distDir, `${b.name}.js.map`), b.map);
  }
  writeFileSync(join(distDir, 'manifest.json'), `${JSON.stringify({ artifacts }, null, 2)}\n`);
  printTable(artifacts.map((a, i) => ({ ...a, unzipped: built[i].code.length })));
  console.log(`build: ${artifacts.length} artifacts in ${relative(root, distDir)}/ (manifest.json)`);
}

main().catch((error) => {
  console.error(`build failed: ${error.message}`);
  process.exit(1);
});
