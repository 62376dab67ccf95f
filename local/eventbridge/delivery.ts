import type { Target } from '@aws-sdk/client-eventbridge';
import { backoffDelay } from '../../functions/lib/backoff';
import { InvalidTargetInputError, targetInput, type RuleContext } from './input';

/** An event as rules see it (the envelope EventBridge builds around PutEvents entries). */
export interface BusEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  'replay-name'?: string;
  [key: string]: unknown;
}

/** A target's RetryPolicy with EventBridge's defaults (24 hours, 185 retries). */
export interface RetryPolicy {
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
}
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400 };

export const retryPolicyOf = (target: Pick<Target, 'RetryPolicy'>): RetryPolicy => ({
  maximumRetryAttempts: target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRY_POLICY.maximumRetryAttempts,
  maximumEventAgeSeconds: target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_RETRY_POLICY.maximumEventAgeSeconds,
});

/**
 * Why a target could not take an event. EventBridge retries retriable errors (throttling, network)
 * and sends the others (missing target, no permission, bad input) to the DLQ at once.
 */
export class TargetDeliveryError extends Error {
  override name = 'TargetDeliveryError';
  constructor(
    message: string,
    readonly code: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

export interface TargetDeliveryDeps {
  /** Hands the input to the target (for Lambda: the asynchronous invocation is accepted). */
  send(target: Target, input: string): Promise<void>;
  /** Sends to an SQS queue by ARN with string message attributes. */
  sendToQueue(queueArn: string, body: string, attributes: Record<string, string>): Promise<void>;
  now(): number;
  sleep(ms: number): Promise<void>;
  random?: () => number;
  /** Waits between attempts: full-jitter exponential backoff (AWS documents "exponential back off and jitter", not the figures). */
  backoff?: { baseDelayMs: number; maxDelayMs: number };
  log(line: string): void;
}

export type DeliveryOutcome =
  | { delivered: true; attempts: number }
  | { delivered: false; attempts: number; code: string; message: string; exhausted?: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds'; deadLettered: boolean };

/**
 * Delivers one matched event to one target as EventBridge does: the target's input settings, retries
 * of retriable failures until the RetryPolicy's attempts or event age run out, then the event to the
 * target's DLQ with the attributes EventBridge adds (RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
 * EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS); without a DLQ the event is dropped (and logged).
 * `receivedAt` is when the bus took the event: the age limit counts from there.
 */
export async function deliverToTarget(event: BusEvent, receivedAt: number, rule: RuleContext, target: Target, deps: TargetDeliveryDeps): Promise<DeliveryOutcome> {
  const policy = retryPolicyOf(target);
  const backoff = deps.backoff ?? { baseDelayMs: 1_000, maxDelayMs: 60_000 };
  let attempts = 0;
  let failure: TargetDeliveryError;
  let exhausted: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds' | undefined;
  for (;;) {
    attempts += 1;
    try {
      await deps.send(target, targetInput(target, event, rule));
      return { delivered: true, attempts };
    } catch (error) {
      failure = asDeliveryError(error);
    }
    if (!failure.retriable) break;
    if (attempts > policy.maximumRetryAttempts) {
      exhausted = 'MaximumRetryAttempts';
      break;
    }
    const wait = backoffDelay(attempts - 1, { ...backoff, random: deps.random });
    if (deps.now() + wait - receivedAt > policy.maximumEventAgeSeconds * 1000) {
      exhausted = 'MaximumEventAgeInSeconds';
      break;
    }
    await deps.sleep(wait);
  }
  const dlq = target.DeadLetterConfig?.Arn;
  const where = `${rule.ruleName} -> ${target.Id}`;
  if (!dlq) {
    deps.log(`[events ${where}] dropped event ${event.id} after ${attempts} attempt(s): ${failure.code} ${failure.message} (the target has no DLQ)`);
    return { delivered: false, attempts, code: failure.code, message: failure.message, exhausted, deadLettered: false };
  }
  const attributes: Record<string, string> = {
    RULE_ARN: rule.ruleArn,
    TARGET_ARN: target.Arn ?? '',
    ERROR_CODE: failure.code,
    ERROR_MESSAGE: failure.message,
    RETRY_ATTEMPTS: String(attempts - 1),
  };
  if (exhausted) attributes.EXHAUSTED_RETRY_CONDITION = exhausted;
  await deps.sendToQueue(dlq, JSON.stringify(event), attributes);
  deps.log(`[events ${where}] event ${event.id} sent to the DLQ after ${attempts} attempt(s): ${failure.code} ${failure.message}`);
  return { delivered: false, attempts, code: failure.code, message: failure.message, exhausted, deadLettered: true };
}

function asDeliveryError(error: unknown): TargetDeliveryError {
  if (error instanceof TargetDeliveryError) return error;
  if (error instanceof InvalidTargetInputError) return new TargetDeliveryError(error.message, 'INVALID_PARAMETER', false);
  return new TargetDeliveryError((error as Error).message ?? String(error), 'SDK_CLIENT_ERROR', true);
}
