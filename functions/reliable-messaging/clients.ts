import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { loadConfig } from '../lib/config';
import { redisConnection, redisEnv } from './redis';

/** The cold start's Redis connection, from the REDIS_* variables (validated) and the token's secret. */
export function redisFromEnv(env: NodeJS.ProcessEnv = process.env) {
  return redisConnection(new SecretsManagerClient({}), loadConfig(z.object(redisEnv), env));
}
