import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const shim = join(repoRoot, 'local/emulator/moto_shim.py');

/** moto accepts any credentials; everything local (clients, functions, SigV4 callers) uses these. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface RunningMoto {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
  reset(): Promise<void>;
}

export interface StartMotoOptions {
  port?: number;
  /** Where moto's own request log goes; by default it is discarded. */
  log?: NodeJS.WritableStream;
}

/** The venv python that has moto installed (make setup creates it). */
export function motoPython(): string {
  const python = process.env.MOTO_PYTHON ?? join(repoRoot, '.cache/venv-moto/bin/python');
  if (!existsSync(python)) {
    throw new Error(`moto is not installed (${python} missing): run \`make setup\` first`);
  }
  return python;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs} ms`);
}

/** Starts moto in server mode (through the shim that fixes the emulator bugs we depend on) on loopback. */
export async function startMoto(options: StartMotoOptions = {}): Promise<RunningMoto> {
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(motoPython(), [shim, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', options.log ? 'pipe' : 'ignore', options.log ? 'pipe' : 'ignore'],
    detached: true,
  });
  // Detached (its own process group, so stop() can end moto's workers too): nothing else would
  // stop it if this process ends without calling stop(), e.g. interrupted during start-up.
  const killOnExit = () => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killOnExit);
  if (options.log) {
    child.stdout?.pipe(options.log, { end: false });
    child.stderr?.pipe(options.log, { end: false });
  }
  try {
    await waitUntilReady(endpoint, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    port,
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.pid === undefined) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      process.kill(-child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
