// How `make demo` finds the stack `make local` is running: a file written once the stack is ready.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Endpoint } from './gateway/server';
import type { PipelineSummary } from './pipelines';
import type { ExecutionsReport, LocalRedisAddress, MappingStats } from './stack';
import { repoRoot } from './stack';

export interface Session {
  emulatorEndpoint: string;
  apiUrl: string;
  endpoints: Endpoint[];
  pipelines: Record<string, PipelineSummary>;
}

const sessionFile = join(repoRoot, '.cache/local/session.json');

export function writeSession(session: Session): void {
  mkdirSync(dirname(sessionFile), { recursive: true });
  writeFileSync(sessionFile, JSON.stringify(session, null, 2));
}

export const removeSession = (): void => rmSync(sessionFile, { force: true });

/** The running stack's session; fails with what to do when `make local` is not running. */
export async function loadSession(): Promise<Session> {
  const missing = 'no running stack: start `make local` in another terminal, wait for "Ready", then run `make demo`';
  if (!existsSync(sessionFile)) throw new Error(missing);
  const session = JSON.parse(readFileSync(sessionFile, 'utf8')) as Session;
  try {
    await fetch(`${session.apiUrl}/_local/stats`);
  } catch {
    throw new Error(missing);
  }
  return session;
}

/** The running runtime's event source counters (served by the local gateway). */
export const mappingStats = async (apiUrl: string): Promise<MappingStats[]> => (await (await fetch(`${apiUrl}/_local/stats`)).json()) as MappingStats[];

/** The state machine executions the runtime ran (served by the local gateway). */
export const executionsReport = async (apiUrl: string): Promise<ExecutionsReport> => (await (await fetch(`${apiUrl}/_local/executions`)).json()) as ExecutionsReport;

/** Where each pipeline's local Redis listens (served by the local gateway). */
export const localRedis = async (apiUrl: string): Promise<Record<string, LocalRedisAddress>> => (await (await fetch(`${apiUrl}/_local/redis`)).json()) as Record<string, LocalRedisAddress>;
