import type { InvokeResult } from '../functions/runner';

/**
 * Lambda's asynchronous invocation (what EventBridge, S3 and SNS use): once Lambda has accepted the
 * event, function errors are Lambda's to retry, per the function's event invoke config (by default 2
 * retries, 1 then 2 minutes apart, events up to 6 hours old), then the event goes to the on-failure
 * destination (an invocation record) and/or the function's dead-letter queue. The caller's own retry
 * policy (an EventBridge target's) no longer applies.
 */
export interface AsyncInvokeConfig {
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
  /** OnFailure destination ARN (event invoke config). */
  onFailure?: string;
  /** OnSuccess destination ARN (event invoke config). */
  onSuccess?: string;
  /** The function's DeadLetterConfig.TargetArn. */
  deadLetterArn?: string;
}

export const LAMBDA_ASYNC_DEFAULTS = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 } as const;

/** AWS waits one minute before the first retry and two before the second. */
export const LAMBDA_RETRY_DELAYS_MS = [60_000, 120_000] as const;

export interface AsyncInvokeDeps {
  invoke(functionArn: string, payload: unknown): Promise<InvokeResult>;
  /** Sends to a destination or DLQ by ARN; string message attributes (only DLQ messages carry some). */
  send(destinationArn: string, body: string, attributes?: Record<string, string>): Promise<void>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Delays before each retry (the last one repeats). */
  retryDelaysMs?: readonly number[];
  log(line: string): void;
}

export type AsyncOutcome =
  | { ok: true; attempts: number }
  | { ok: false; attempts: number; condition: 'RetriesExhausted' | 'EventAgeExceeded'; errorType: string; errorMessage: string };

/** The record Lambda sends to an on-failure (or on-success) destination. */
export function invocationRecord(
  functionArn: string,
  requestId: string,
  payload: unknown,
  attempts: number,
  timestamp: number,
  result: InvokeResult,
  condition: 'Success' | 'RetriesExhausted' | 'EventAgeExceeded',
): Record<string, unknown> {
  return {
    version: '1.0',
    timestamp: new Date(timestamp).toISOString(),
    requestContext: { requestId, functionArn: `${functionArn}:$LATEST`, condition, approximateInvokeCount: attempts },
    requestPayload: payload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(result.ok ? {} : { functionError: 'Unhandled' }) },
    responsePayload: result.ok ? result.payload : { errorType: result.errorType, errorMessage: result.errorMessage },
  };
}

/** Runs one accepted asynchronous invocation to its end: success, or the failure handed to its destination/DLQ. */
export async function runAsyncInvocation(functionArn: string, requestId: string, payload: unknown, config: AsyncInvokeConfig, deps: AsyncInvokeDeps): Promise<AsyncOutcome> {
  const acceptedAt = deps.now();
  const delays = deps.retryDelaysMs ?? LAMBDA_RETRY_DELAYS_MS;
  const name = functionArn.split(':')[6] ?? functionArn;
  let attempts = 0;
  let result: InvokeResult;
  let condition: 'RetriesExhausted' | 'EventAgeExceeded' = 'RetriesExhausted';
  for (;;) {
    attempts += 1;
    try {
      result = await deps.invoke(functionArn, payload);
    } catch (error) {
      result = { ok: false, errorType: 'Runtime.Unknown', errorMessage: (error as Error).message };
    }
    if (result.ok) {
      if (config.onSuccess) await deps.send(config.onSuccess, JSON.stringify(invocationRecord(functionArn, requestId, payload, attempts, deps.now(), result, 'Success')));
      return { ok: true, attempts };
    }
    if (attempts > config.maximumRetryAttempts) break;
    const delay = delays[Math.min(attempts - 1, delays.length - 1)] ?? 0;
    if (deps.now() + delay - acceptedAt > config.maximumEventAgeSeconds * 1000) {
      condition = 'EventAgeExceeded';
      break;
    }
    deps.log(`[async ${name}] attempt ${attempts} failed (${result.errorType}: ${result.errorMessage}); retrying in ${delay} ms`);
    await deps.sleep(delay);
  }
  const { errorType, errorMessage } = result;
  if (config.onFailure) await deps.send(config.onFailure, JSON.stringify(invocationRecord(functionArn, requestId, payload, attempts, deps.now(), result, condition)));
  if (config.deadLetterArn) await deps.send(config.deadLetterArn, JSON.stringify(payload), { RequestID: requestId, ErrorCode: '200', ErrorMessage: errorMessage });
  const where = [config.onFailure && `on-failure destination ${config.onFailure}`, config.deadLetterArn && `DLQ ${config.deadLetterArn}`].filter(Boolean).join(' and ');
  deps.log(`[async ${name}] gave up after ${attempts} attempt(s) (${condition}: ${errorType}: ${errorMessage}); ${where ? `sent to ${where}` : 'dropped: the function has no on-failure destination or DLQ'}`);
  return { ok: false, attempts, condition, errorType, errorMessage };
}
