import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logger; service name and level come from POWERTOOLS_* variables when set. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName });
}
