import type { SQSClient } from '@aws-sdk/client-sqs';
import type { BusEvent } from './delivery';
import { pollHandOffQueue, type Clock } from './runtime';

/**
 * The hand-off from the emulator: moto cannot deliver to Lambda targets (PutEvents answers 500), so
 * the hook in moto_hooks.py (installed by local/emulator/moto_shim.py) sends each event a rule with a
 * Lambda target matched to this queue in the emulator instead, one message per target, once the
 * runtime has created the queue:
 *   {"ruleArn": "...", "targetId": "...", "event": <the event as moto built it>}
 * The runtime delivers it (input transformer, retry policy, DLQ) and deletes the message once the
 * target took it or it was dead-lettered, so an event survives a runtime restart.
 */
export const SHIM_OUTBOX_QUEUE = 'local-runtime-eventbridge-lambda-targets';

export interface ShimHandOff {
  ruleArn: string;
  targetId: string;
  event: BusEvent;
}

/** moto's event keeps `time` as epoch seconds and adds `ingestion-time`; rules and targets see what AWS sends. */
export function normaliseMotoEvent(raw: Record<string, unknown>): BusEvent {
  const { 'ingestion-time': _ingestion, ...event } = raw;
  const time = typeof event.time === 'number' ? new Date(Math.floor(event.time) * 1000).toISOString().replace('.000Z', 'Z') : event.time;
  return { ...event, time } as BusEvent;
}

export function parseHandOff(body: string): ShimHandOff {
  const parsed = JSON.parse(body) as Partial<{ ruleArn: unknown; targetId: unknown; event: unknown }>;
  if (typeof parsed.ruleArn !== 'string' || typeof parsed.targetId !== 'string' || typeof parsed.event !== 'object' || parsed.event === null) {
    throw new Error('expected {"ruleArn", "targetId", "event"}');
  }
  return { ruleArn: parsed.ruleArn, targetId: parsed.targetId, event: normaliseMotoEvent(parsed.event as Record<string, unknown>) };
}

export interface OutboxOptions {
  signal: AbortSignal;
  clock: Clock;
  log: (line: string) => void;
  deliver(handOff: ShimHandOff): Promise<void>;
}

/** Reads the shim's queue until the signal aborts; a message is deleted once its event was delivered or dead-lettered. */
export function pollShimOutbox(sqs: SQSClient, { signal, clock, log, deliver }: OutboxOptions): Promise<void> {
  return pollHandOffQueue(sqs, SHIM_OUTBOX_QUEUE, { signal, clock, log }, async (message, remove) => {
    let handOff: ShimHandOff;
    try {
      handOff = parseHandOff(message.Body ?? '');
    } catch (error) {
      log(`[events] hand-off ${message.MessageId} is malformed and is dropped (${(error as Error).message}): ${message.Body}`);
      return remove();
    }
    try {
      await deliver(handOff);
    } catch (error) {
      // Left in the queue: it comes back after the visibility timeout.
      log(`[events] hand-off ${message.MessageId} not delivered, retried later: ${(error as Error).message}`);
      return;
    }
    await remove();
  });
}
