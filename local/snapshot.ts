// Reuse of an applied emulator: after a full `terraform apply` on a fresh emulator, the emulator's
// whole state (local/emulator/snapshot_hooks.py), the Terraform state and outputs are saved under a
// key that hashes everything the apply depended on. The next start whose key matches loads them into
// its fresh emulator instead of applying again; any change in infra/, dist/, the emulator's Python
// code, moto's version or the variables (emulator endpoint, name prefix) changes the key.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';

/** sha256 over every file's path and content under dir, skipping Terraform data dirs and state files. */
export function hashTree(dir: string, keep: (path: string) => boolean = () => true): string {
  const hash = createHash('sha256');
  const files = (readdirSync(dir, { recursive: true }) as string[])
    .filter((path) => !path.split('/').includes('.terraform') && !/\.tfstate(\.|$)/.test(path) && keep(path))
    .sort();
  for (const path of files) {
    const full = join(dir, path);
    if (!statSync(full).isFile()) continue;
    hash.update(`${relative(dir, full)}\0`).update(readFileSync(full)).update('\0');
  }
  return hash.digest('hex');
}

export interface SnapshotInputs {
  repoRoot: string;
  artifactsDir: string;
  /** The apply's variables (the emulator endpoint and its port are part of what was applied). */
  variables: Record<string, string>;
}

export function snapshotKey({ repoRoot, artifactsDir, variables }: SnapshotInputs): string {
  const motoStamp = join(repoRoot, '.cache/venv-moto/.stamp');
  return createHash('sha256')
    .update(hashTree(join(repoRoot, 'infra')))
    .update(hashTree(artifactsDir))
    .update(hashTree(join(repoRoot, 'local'), (path) => path.endsWith('.py')))
    .update(existsSync(motoStamp) ? readFileSync(motoStamp) : 'no moto stamp')
    .update(JSON.stringify(Object.entries(variables).sort()))
    .digest('hex');
}

interface SnapshotMeta {
  key: string;
  port: number;
}

const files = (dir: string) => ({
  emulator: join(dir, 'emulator.pickle'),
  state: join(dir, 'terraform.tfstate'),
  outputs: join(dir, 'outputs.json'),
  meta: join(dir, 'meta.json'),
});

function readMeta(dir: string): SnapshotMeta | undefined {
  try {
    return JSON.parse(readFileSync(files(dir).meta, 'utf8')) as SnapshotMeta;
  } catch {
    return undefined; // none (or unreadable): apply
  }
}

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** The port the saved emulator was applied on, when it is free now (a caller that takes any port can reuse the snapshot). */
export async function snapshotPort(dir: string): Promise<number | undefined> {
  const port = readMeta(dir)?.port;
  return port !== undefined && (await portIsFree(port)) ? port : undefined;
}

async function emulatorCall(endpoint: string, action: 'save' | 'load', path: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/snapshot/${action}?path=${encodeURIComponent(path)}`, { method: 'POST' });
  if (!response.ok) throw new Error(`emulator snapshot ${action} answered ${response.status}: ${(await response.text()).slice(-500)}`);
}

/**
 * Loads the snapshot saved under this key into the (fresh) emulator and puts its Terraform state at
 * statePath; undefined when there is none for this key. Throws when the emulator refused it: the
 * caller resets the emulator and applies.
 */
export async function restoreSnapshot(dir: string, key: string, endpoint: string, statePath: string): Promise<Record<string, unknown> | undefined> {
  if (readMeta(dir)?.key !== key) return undefined;
  const paths = files(dir);
  await emulatorCall(endpoint, 'load', paths.emulator);
  copyFileSync(paths.state, statePath);
  return JSON.parse(readFileSync(paths.outputs, 'utf8')) as Record<string, unknown>;
}

/** Saves the emulator just applied (before anything else touched it), its state and outputs. */
export async function saveSnapshot(dir: string, key: string, endpoint: string, statePath: string, outputs: Record<string, unknown>): Promise<void> {
  const paths = files(dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await emulatorCall(endpoint, 'save', paths.emulator);
  copyFileSync(statePath, paths.state);
  writeFileSync(paths.outputs, JSON.stringify(outputs), { mode: 0o600 });
  // The meta file last: a snapshot interrupted half-way has none, so it is never loaded.
  writeFileSync(`${paths.meta}.new`, JSON.stringify({ key, port: Number(new URL(endpoint).port) } satisfies SnapshotMeta));
  renameSync(`${paths.meta}.new`, paths.meta);
}
