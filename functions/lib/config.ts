import * as z from 'zod/mini';
import { describeIssues } from './validation';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates environment variables once, at cold start, and names every bad or missing one in a
 * single error, so a misconfigured deployment fails loudly on its first invocation.
 */
export function loadConfig<T extends z.core.$ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.output<T> {
  const result = z.safeParse(schema, env);
  if (result.success) return result.data;
  throw new ConfigError(`invalid configuration: ${describeIssues(result.error, '(root)').join('; ')}`);
}
