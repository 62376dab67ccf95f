import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './emulator/moto';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

export interface RunningRedis {
  host: string;
  port: number;
  /** The self-signed CA that signed the server's certificate: clients pass it as `tls: { ca }`. */
  caPath: string;
  /** The `requirepass` token (the AUTH token that Secrets Manager holds in AWS). */
  password: string;
  /** Stops the server (idempotent) and removes the folder if start() created it. */
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  port?: number;
  /** Where the certificates (and nothing else: persistence is off) go; a temporary folder by default. */
  dir?: string;
  /** The AUTH token; a random one by default. */
  password?: string;
  /** Where redis-server's own log goes; by default it is discarded. */
  log?: NodeJS.WritableStream;
}

/** The redis-server to run: REDIS_SERVER_BIN, else the one `make setup` unpacks, else the one on PATH. */
export function redisServerBinary(): string {
  if (process.env.REDIS_SERVER_BIN) return process.env.REDIS_SERVER_BIN;
  const cached = join(repoRoot, '.cache/bin/redis-server');
  return existsSync(cached) ? cached : 'redis-server';
}

/** A CA and a server certificate for 127.0.0.1/localhost signed by it, written into dir (reused if present). */
async function writeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const files = { ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
  if (existsSync(files.ca) && existsSync(files.cert) && existsSync(files.key)) return files;
  const caKey = join(dir, 'ca.key');
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=local redis CA',
    '-keyout', caKey, '-out', files.ca]);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', files.key, '-out', csr]);
  await writeFile(ext, 'subjectAltName = IP:127.0.0.1, DNS:localhost\n');
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', files.ca, '-CAkey', caKey, '-CAcreateserial', '-days', '30',
    '-extfile', ext, '-out', files.cert]);
  return files;
}

async function waitUntilReady(server: Omit<RunningRedis, 'stop'>, child: ChildProcess, timeoutMs: number): Promise<void> {
  const ca = await readFile(server.caPath);
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} before it was ready`);
    const client = new Redis({
      host: server.host, port: server.port, password: server.password, tls: { ca },
      lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch (error) {
      last = error;
    } finally {
      client.disconnect();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server did not answer on ${server.host}:${server.port} within ${timeoutMs} ms: ${String(last)}`);
}

/**
 * Starts redis-server on loopback as ElastiCache runs it for the pipeline: TLS only (no plain port),
 * AUTH required, `maxmemory-policy noeviction`, and no persistence files.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RunningRedis> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'redis-')));
  await mkdir(dir, { recursive: true });
  const certs = await writeCertificates(dir);
  const host = '127.0.0.1';
  const port = options.port ?? (await freePort());
  const password = options.password ?? randomBytes(24).toString('hex');
  const child = spawn(redisServerBinary(), [
    '--bind', host, '--port', '0', '--tls-port', String(port),
    '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca,
    '--tls-auth-clients', 'no', '--requirepass', password,
    '--dir', dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--daemonize', 'no',
  ], { stdio: ['ignore', options.log ? 'pipe' : 'ignore', options.log ? 'pipe' : 'ignore'] });
  const killOnExit = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject));
  spawnFailed.catch(() => undefined); // raced below; a later error must not be an unhandled rejection
  if (options.log) {
    child.stdout?.pipe(options.log, { end: false });
    child.stderr?.pipe(options.log, { end: false });
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };
  const server = { host, port, caPath: certs.ca, password };
  try {
    await Promise.race([waitUntilReady(server, child, 15_000), spawnFailed]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...server, stop };
}
