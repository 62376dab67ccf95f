import { readFileSync } from 'node:fs';
import { startRedis, type RunningRedis } from '../../local/redis-server';

export interface UsedRedis {
  current(): RunningRedis;
  /** The CA to pass as ioredis `tls: { ca }`. */
  ca(): Buffer;
}

/** Starts a real redis-server (TLS + requirepass, local/redis-server.ts) for the enclosing suite. */
export function useRedis(): UsedRedis {
  let redis: RunningRedis | undefined;

  before(async function () {
    this.timeout(30_000);
    redis = await startRedis();
  });

  after(async function () {
    this.timeout(10_000);
    await redis?.stop();
  });

  const current = () => {
    if (!redis) throw new Error('redis-server is not running (useRedis must be called inside a describe)');
    return redis;
  };
  return { current, ca: () => readFileSync(current().caPath) };
}
