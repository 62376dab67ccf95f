import type { FirehoseTransformationEvent } from 'aws-lambda';
import type { StreamingEvent } from '../../../functions/streaming-events/event';

let counter = 0;

/** A valid event; every call a new eventId (lowercase v4 UUID). */
export function anEvent(overrides: Partial<StreamingEvent> = {}): StreamingEvent {
  counter += 1;
  const suffix = counter.toString(16).padStart(12, '0');
  return { eventId: `00000000-0000-4000-8000-${suffix}`, entityId: 'order-1', eventType: 'order.placed', occurredAt: '2026-11-23T10:00:00.123Z', payload: { customer: 'Zoë 東京 🚚' }, ...overrides };
}

export const utf8 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');

/** A Firehose transformation event with one record per buffer, ids r0, r1, ... */
export function firehoseEvent(records: Buffer[]): FirehoseTransformationEvent {
  return {
    invocationId: 'inv-1',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/events',
    region: 'us-east-1',
    records: records.map((data, i) => ({ recordId: `r${i}`, approximateArrivalTimestamp: 1_763_900_000_000 + i, data: data.toString('base64') })),
  };
}

/** Logger and metrics stand-ins that remember what they were given. */
export function recorders() {
  const logs: { level: string; message: string; extra: Record<string, unknown> }[] = [];
  const metrics: { name: string; value: number }[] = [];
  const log = (level: string) => (message: unknown, extra?: unknown) => void logs.push({ level, message: String(message), extra: (extra ?? {}) as Record<string, unknown> });
  return {
    logs,
    metrics,
    logger: { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') } as never,
    metricsSink: { addMetric: (name: string, _unit: unknown, value: number) => void metrics.push({ name, value }), publishStoredMetrics: () => {} } as never,
  };
}
