import { randomUUID } from 'node:crypto';
import { EventBridgeClient, type Target } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, GetFunctionEventInvokeConfigCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EMULATOR_CREDENTIALS } from '../emulator/moto';
import { queueUrlOf } from '../event-sources/adapter';
import { deliverToTarget, TargetDeliveryError, type BusEvent, type DeliveryOutcome } from './delivery';
import { discoverRules, type DiscoveredRule } from './discovery';
import { LAMBDA_ASYNC_DEFAULTS, runAsyncInvocation, type AsyncInvokeConfig } from './lambda-async';
import { pollShimOutbox } from './outbox';
import { matchesEventPattern } from './pattern';
import { retryWait, StoppedError, systemClock, type RuntimeContext } from './runtime';
import { runSchedule } from './scheduler';

export type { BusEvent } from './delivery';
export type { DiscoveredRule } from './discovery';
export { systemClock, type Clock, type RuntimeContext } from './runtime';

export interface LocalEventBridgeOptions extends RuntimeContext {
  /** Lambda's waits before async retries (AWS: 1 and 2 minutes). */
  lambdaRetryDelaysMs?: readonly number[];
  /** EventBridge's backoff between target delivery attempts. */
  targetBackoff?: { baseDelayMs: number; maxDelayMs: number };
  /** Read the moto shim's hand-off queue for events matched by rules with Lambda targets (default true). */
  shimOutbox?: boolean;
}

export interface LocalEventBridgeStats {
  /** Schedule firings. */
  fired: number;
  /** Events handed to a target (for Lambda: accepted for asynchronous invocation). */
  delivered: number;
  /** Events a target never took (dead-lettered or dropped). */
  undelivered: number;
  /** Asynchronous Lambda invocations that succeeded / gave up after Lambda's retries. */
  invocationsSucceeded: number;
  invocationsFailed: number;
}

export interface LocalEventBridge {
  rules: DiscoveredRule[];
  stats: LocalEventBridgeStats;
  /**
   * Delivers an event put on `busName` to the Lambda targets of every enabled rule it matches (moto
   * delivers to the other target types itself). Resolves when every target took or refused it.
   */
  deliverEvent(event: BusEvent, busName?: string): Promise<DeliveryOutcome[]>;
  /** Fires a schedule rule now (as its schedule would), to every target. */
  fire(ruleName: string, busName?: string): Promise<DeliveryOutcome[]>;
  /** Resolves when no delivery or asynchronous invocation is in flight. */
  idle(): Promise<void>;
  /** Resolves once the signal has aborted and the schedules, the hand-off reader and the deliveries have ended. */
  done: Promise<void>;
}

const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const serviceOf = (arn: string | undefined) => arn?.split(':')[2] ?? '';
const accountOf = (arn: string) => arn.split(':')[4] ?? '000000000000';

/** The event a schedule rule emits (the documented "Scheduled Event" shape). */
export function scheduledEvent(rule: Pick<DiscoveredRule, 'arn'>, at: number, region: string): BusEvent {
  return { version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: accountOf(rule.arn), time: isoSeconds(at), region, resources: [rule.arn], detail: {} };
}

/**
 * The local EventBridge: finds every rule in the emulator, fires schedule rules on time to all their
 * targets (moto never fires them), and delivers pattern-matched events to Lambda targets (moto cannot)
 * through the function runner as Lambda's asynchronous invocation: target retry policy and DLQ for
 * delivery failures, the function's event invoke config, on-failure destination and DLQ for
 * function errors.
 */
export async function startLocalEventBridge(options: LocalEventBridgeOptions): Promise<LocalEventBridge> {
  const { endpoint, region, runner, signal, log } = options;
  const clock = options.clock ?? systemClock;
  const credentials = EMULATOR_CREDENTIALS;
  const events = new EventBridgeClient({ endpoint, region, credentials });
  const lambda = new LambdaClient({ endpoint, region, credentials });
  const sqs = new SQSClient({ endpoint, region, credentials });
  const stats: LocalEventBridgeStats = { fired: 0, delivered: 0, undelivered: 0, invocationsSucceeded: 0, invocationsFailed: 0 };
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.then(
      () => inFlight.delete(work),
      () => inFlight.delete(work),
    );
    return work;
  };
  const startedAt = clock.now();
  let rules = await discoverRules(events, startedAt);

  const sendToQueue = async (queueArn: string, body: string, attributes: Record<string, string> = {}, groupId?: string) => {
    if (serviceOf(queueArn) !== 'sqs') throw new Error(`only SQS destinations run locally, not ${queueArn}`);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: await queueUrlOf(sqs, queueArn),
        MessageBody: body,
        MessageGroupId: groupId,
        MessageAttributes: Object.keys(attributes).length ? Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) : undefined,
      }),
    );
  };

  const asyncConfigs = new Map<string, Promise<AsyncInvokeConfig>>();
  const asyncConfigOf = (functionArn: string): Promise<AsyncInvokeConfig> => {
    let config = asyncConfigs.get(functionArn);
    if (!config) {
      config = (async () => {
        const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionArn }));
        const invokeConfig = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: functionArn })).catch((error: Error) => {
          if (error.name === 'ResourceNotFoundException') return undefined;
          throw error;
        });
        return {
          maximumRetryAttempts: invokeConfig?.MaximumRetryAttempts ?? LAMBDA_ASYNC_DEFAULTS.maximumRetryAttempts,
          maximumEventAgeSeconds: invokeConfig?.MaximumEventAgeInSeconds ?? LAMBDA_ASYNC_DEFAULTS.maximumEventAgeSeconds,
          onFailure: invokeConfig?.DestinationConfig?.OnFailure?.Destination,
          onSuccess: invokeConfig?.DestinationConfig?.OnSuccess?.Destination,
          deadLetterArn: fn.DeadLetterConfig?.TargetArn,
        };
      })();
      asyncConfigs.set(functionArn, config);
      config.catch(() => asyncConfigs.delete(functionArn));
    }
    return config;
  };

  /** Lambda's InvokeAsync side: refuses a missing function, then runs the invocation in the background. */
  const acceptForLambda = async (functionArn: string, input: string) => {
    let payload: unknown;
    try {
      payload = JSON.parse(input);
    } catch {
      throw new TargetDeliveryError(`the target input is not JSON: ${input.slice(0, 200)}`, 'INVALID_JSON', false);
    }
    const config = await asyncConfigOf(functionArn).catch((error: Error) => {
      throw new TargetDeliveryError(error.message, error.name === 'ResourceNotFoundException' ? 'RESOURCE_NOT_FOUND' : 'SDK_CLIENT_ERROR', error.name !== 'ResourceNotFoundException');
    });
    void track(
      runAsyncInvocation(functionArn, randomUUID(), payload, config, {
        invoke: (arn, event) => runner.invoke(arn, event),
        send: (arn, body, attributes) => sendToQueue(arn, body, attributes),
        now: () => clock.now(),
        sleep: retryWait(clock, signal),
        retryDelaysMs: options.lambdaRetryDelaysMs,
        log,
      }).then(
        (outcome) => void (outcome.ok ? (stats.invocationsSucceeded += 1) : (stats.invocationsFailed += 1)),
        (error: Error) => log(`[events] asynchronous invocation of ${functionArn} ${error instanceof StoppedError ? 'not retried' : 'could not hand its failure on'}: ${error.message}`),
      ),
    );
  };

  const send = async (target: Target, input: string) => {
    const service = serviceOf(target.Arn);
    if (service === 'lambda') return acceptForLambda(target.Arn!, input);
    if (service === 'sqs') return sendToQueue(target.Arn!, input, {}, target.SqsParameters?.MessageGroupId);
    throw new TargetDeliveryError(`targets of type ${service} are not run locally`, 'UNSUPPORTED_TARGET', false);
  };

  const deliver = (rule: DiscoveredRule, targets: Target[], event: BusEvent): Promise<DeliveryOutcome[]> =>
    track(
      Promise.all(
        targets.map(async (target) => {
          const outcome = await deliverToTarget(event, clock.now(), { ruleArn: rule.arn, ruleName: rule.name }, target, {
            send,
            sendToQueue: (arn, body, attributes) => sendToQueue(arn, body, attributes),
            now: () => clock.now(),
            sleep: retryWait(clock, signal),
            backoff: options.targetBackoff,
            log,
          });
          if (outcome.delivered) stats.delivered += 1;
          else stats.undelivered += 1;
          return outcome;
        }),
      ),
    );

  const findRule = (name: string, busName: string) => {
    const rule = rules.find((r) => r.name === name && r.busName === busName);
    if (!rule) throw new Error(`no rule ${name} on bus ${busName}`);
    return rule;
  };

  const fire = (rule: DiscoveredRule, at: number) => {
    stats.fired += 1;
    log(`[events ${rule.name}] ${rule.schedule!.expression} fired: ${rule.targets.length} target(s)`);
    return deliver(rule, rule.targets, scheduledEvent(rule, at, region));
  };

  const loops: Promise<void>[] = [];
  for (const rule of rules) {
    if (rule.problem) log(`[events ${rule.name}] not run locally: ${rule.problem}`);
    else if (rule.schedule && rule.enabled && rule.targets.length > 0) {
      log(`[events ${rule.name}] schedule ${rule.schedule.expression} -> ${rule.targets.map((t) => t.Arn).join(', ')}`);
      loops.push(runSchedule(rule.schedule, clock, signal, (at) => void fire(rule, at).catch((error: Error) => log(`[events ${rule.name}] delivery failed: ${error.message}`))));
    }
  }

  const bridge: LocalEventBridge = {
    get rules() {
      return rules;
    },
    stats,
    async deliverEvent(event, busName = 'default') {
      const outcomes: DeliveryOutcome[] = [];
      for (const rule of rules) {
        if (rule.busName !== busName || !rule.enabled || !rule.pattern || !matchesEventPattern(rule.pattern, event)) continue;
        const targets = rule.targets.filter((t) => serviceOf(t.Arn) === 'lambda');
        if (targets.length > 0) outcomes.push(...(await deliver(rule, targets, event)));
      }
      return outcomes;
    },
    fire: (ruleName, busName = 'default') => fire(findRule(ruleName, busName), clock.now()),
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    done: Promise.resolve(),
  };

  if (options.shimOutbox ?? true) {
    loops.push(
      pollShimOutbox(sqs, {
        signal,
        clock,
        log,
        deliver: async ({ ruleArn, targetId, event }) => {
          let rule = rules.find((r) => r.arn === ruleArn);
          if (!rule) {
            rules = await discoverRules(events, startedAt);
            rule = rules.find((r) => r.arn === ruleArn);
          }
          const target = rule?.targets.find((t) => t.Id === targetId);
          if (!rule || !target) {
            log(`[events] the shim handed over an event for ${ruleArn} target ${targetId}, which the emulator no longer has: dropped`);
            return;
          }
          await deliver(rule, [target], event);
        },
      }),
    );
  }
  bridge.done = Promise.allSettled(loops).then(() => bridge.idle());
  return bridge;
}
