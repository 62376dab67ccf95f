import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { loadConfig } from '../lib/config';
import { redisConnection, redisEnv } from './redis';

/**
 * SDK clients that give up in seconds: the SDK sets no request timeout of its own, and ingest must
 * answer within API Gateway's 29 s (its Lambda timeout is 25 s) even when it has to salvage. Worst
 * case there: token 2 x 1.5 s (cold start only) + Redis (REDIS_TIMEOUTS) + StartExecution 2 x 3 s
 * + the salvage PutObject 2 x 6 s.
 */
export const quick = (requestTimeout: number) => ({ maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout, throwOnRequestTimeout: true } });

/** The cold start's Redis connection, from the REDIS_* variables (validated) and the token's secret. */
export function redisFromEnv(env: NodeJS.ProcessEnv = process.env) {
  return redisConnection(new SecretsManagerClient(quick(1_500)), loadConfig(z.object(redisEnv), env));
}
