import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Redis, type RedisOptions } from 'ioredis';
import * as z from 'zod/mini';

export const redisEnv = {
  REDIS_HOST: z.string().check(z.minLength(1)),
  REDIS_PORT: z.coerce.number().check(z.int(), z.minimum(1), z.maximum(65535)),
  REDIS_TLS: z.enum(['true', 'false']),
  REDIS_AUTH_SECRET_ARN: z.string().check(z.minLength(1)),
};

export interface RedisSettings {
  REDIS_HOST: string;
  REDIS_PORT: number;
  REDIS_TLS: 'true' | 'false';
  REDIS_AUTH_SECRET_ARN: string;
}

/** The commands the cores use: narrow, so unit tests can stub them. */
export type RedisCommands = Pick<Redis, 'set' | 'getBuffer' | 'del'>;

// Well under the functions' timeouts (ingest answers a client, the workflow's tasks retry): a dead or
// unreachable Redis must fail in seconds, into salvage, not hang the invocation.
export const REDIS_TIMEOUTS = { connectTimeoutMs: 2_000, commandTimeoutMs: 3_000, reconnectAttempts: 2 } as const;

export function redisOptions(settings: RedisSettings, password: string, tls: RedisOptions['tls'] = {}): RedisOptions {
  return {
    host: settings.REDIS_HOST,
    port: settings.REDIS_PORT,
    password,
    tls: settings.REDIS_TLS === 'true' ? tls : undefined,
    connectTimeout: REDIS_TIMEOUTS.connectTimeoutMs,
    commandTimeout: REDIS_TIMEOUTS.commandTimeoutMs,
    maxRetriesPerRequest: 1,
    // After a few attempts the client ends; connection() below then builds a new one next time.
    retryStrategy: (attempt) => (attempt > REDIS_TIMEOUTS.reconnectAttempts ? null : 100 * attempt),
    enableAutoPipelining: false,
    lazyConnect: true,
  };
}

export async function readAuthToken(secrets: SecretsManagerClient, secretArn: string): Promise<string> {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!SecretString) throw new Error(`secret ${secretArn} has no SecretString (the Redis AUTH token)`);
  return SecretString;
}

/**
 * One Redis client per cold start: the AUTH token is read from Secrets Manager once, the connection is
 * reused by later invocations and rebuilt only after the client gave up (status "end").
 */
export function redisConnection(secrets: SecretsManagerClient, settings: RedisSettings, tls?: RedisOptions['tls']): () => Promise<Redis> {
  let token: Promise<string> | undefined;
  let client: Redis | undefined;
  return async () => {
    token ??= readAuthToken(secrets, settings.REDIS_AUTH_SECRET_ARN).catch((error: unknown) => {
      token = undefined; // a failed read is retried on the next call, not cached
      throw error;
    });
    const password = await token;
    if (client === undefined || client.status === 'end') {
      client?.disconnect();
      const created = new Redis(redisOptions(settings, password, tls));
      client = created;
      // Failures surface on the commands; the listener stops the unhandled-event crash and keeps the
      // cause (e.g. WRONGPASS), which connect() itself reports only as "Connection is closed".
      let cause: unknown;
      created.on('error', (error: unknown) => (cause ??= error));
      await created.connect().catch((error: unknown) => {
        created.disconnect();
        throw cause ?? error;
      });
    }
    return client;
  };
}
