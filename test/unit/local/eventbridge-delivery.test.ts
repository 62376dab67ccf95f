import { expect } from 'chai';
import type { Target } from '@aws-sdk/client-eventbridge';
import { deliverToTarget, TargetDeliveryError, type BusEvent, type TargetDeliveryDeps } from '../../../local/eventbridge/delivery';
import { readPath, renderTemplate, targetInput } from '../../../local/eventbridge/input';
import { runAsyncInvocation, type AsyncInvokeDeps } from '../../../local/eventbridge/lambda-async';
import { normaliseMotoEvent, parseHandOff } from '../../../local/eventbridge/outbox';

const rule = { ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/orders-bus/on-order', ruleName: 'on-order' };
const event: BusEvent = {
  version: '0',
  id: 'e-1',
  'detail-type': 'OrderPlaced',
  source: 'shop.orders',
  account: '123456789012',
  time: '2026-11-23T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { orderId: 'o-1', customer: { name: 'Zoë "Z" Ünal' }, lines: [{ sku: 'a', qty: 2 }] },
};

describe('local EventBridge: target input', function () {
  it('passes the whole event by default, a constant with Input, a part with InputPath', function () {
    expect(JSON.parse(targetInput({}, event, rule))).to.deep.equal(event);
    expect(targetInput({ Input: '{"fixed":true}' }, event, rule)).to.equal('{"fixed":true}');
    expect(JSON.parse(targetInput({ InputPath: '$.detail.customer' }, event, rule))).to.deep.equal({ name: 'Zoë "Z" Ünal' });
    expect(readPath(event, '$.detail.lines[0].qty')).to.equal(2);
    expect(readPath(event, "$['detail-type']")).to.equal('OrderPlaced');
    expect(readPath(event, '$.detail.nope.deeper')).to.equal(undefined);
  });

  it('renders an InputTransformer: values as JSON outside quotes, as escaped text inside them', function () {
    const input = targetInput(
      {
        InputTransformer: {
          InputPathsMap: { id: '$.detail.orderId', name: '$.detail.customer.name', lines: '$.detail.lines', missing: '$.detail.nope' },
          InputTemplate: '{"order": <id>, "text": "<name> ordered <lines>", "lines": <lines>, "missing": <missing>, "rule": "<aws.events.rule-name>", "envelope": <aws.events.event>}',
        },
      },
      event,
      rule,
    );
    const parsed = JSON.parse(input) as Record<string, unknown>;
    expect(parsed).to.deep.include({ order: 'o-1', text: 'Zoë "Z" Ünal ordered [{"sku":"a","qty":2}]', lines: [{ sku: 'a', qty: 2 }], missing: null, rule: 'on-order' });
    expect(parsed.envelope).to.deep.include({ id: 'e-1', source: 'shop.orders' }).and.not.have.property('detail');
  });

  it('leaves text that is not a known placeholder alone', function () {
    expect(renderTemplate('"a <b> and <c> \\"<b>\\""', { b: 'x' })).to.equal('"a x and <c> \\"x\\""');
  });
});

function deliveryDeps(overrides: Partial<TargetDeliveryDeps>) {
  let time = Date.parse('2026-11-23T10:00:00Z');
  const dlq: { queueArn: string; body: string; attributes: Record<string, string> }[] = [];
  const sleeps: number[] = [];
  const logs: string[] = [];
  const deps: TargetDeliveryDeps = {
    send: async () => {},
    sendToQueue: async (queueArn, body, attributes) => void dlq.push({ queueArn, body, attributes }),
    now: () => time,
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
    random: () => 0.5,
    backoff: { baseDelayMs: 1_000, maxDelayMs: 60_000 },
    log: (line) => logs.push(line),
    ...overrides,
  };
  return { deps, dlq, sleeps, logs, start: time };
}

const lambdaTarget = (extra: Partial<Target> = {}): Target => ({ Id: 'consumer', Arn: 'arn:aws:lambda:us-east-1:123456789012:function:consumer', ...extra });
const dlqArn = 'arn:aws:sqs:us-east-1:123456789012:consumer-target-dlq';

describe('local EventBridge: target retry policy and DLQ', function () {
  it('retries a retriable failure with backoff and delivers', async function () {
    let calls = 0;
    const { deps, sleeps, dlq } = deliveryDeps({
      send: async () => {
        calls += 1;
        if (calls < 3) throw new TargetDeliveryError('throttled', 'THROTTLING', true);
      },
    });
    const outcome = await deliverToTarget(event, deps.now(), rule, lambdaTarget({ DeadLetterConfig: { Arn: dlqArn } }), deps);
    expect(outcome).to.deep.equal({ delivered: true, attempts: 3 });
    expect(sleeps).to.deep.equal([500, 1_000]);
    expect(dlq).to.deep.equal([]);
  });

  it('after MaximumRetryAttempts sends the event to the DLQ with the attributes EventBridge adds', async function () {
    let calls = 0;
    const { deps, dlq } = deliveryDeps({
      send: async () => {
        calls += 1;
        throw new Error('connection reset');
      },
    });
    const outcome = await deliverToTarget(event, deps.now(), rule, lambdaTarget({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: dlqArn } }), deps);
    expect(calls).to.equal(3);
    expect(outcome).to.deep.include({ delivered: false, attempts: 3, exhausted: 'MaximumRetryAttempts', deadLettered: true });
    expect(dlq).to.have.length(1);
    expect(dlq[0]!.queueArn).to.equal(dlqArn);
    expect(JSON.parse(dlq[0]!.body)).to.deep.equal(event);
    expect(dlq[0]!.attributes).to.deep.equal({
      RULE_ARN: rule.ruleArn,
      TARGET_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:consumer',
      ERROR_CODE: 'SDK_CLIENT_ERROR',
      ERROR_MESSAGE: 'connection reset',
      RETRY_ATTEMPTS: '2',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
    });
  });

  it('stops at MaximumEventAgeInSeconds, counted from when the bus took the event', async function () {
    let calls = 0;
    const { deps, dlq } = deliveryDeps({
      random: () => 0.999,
      send: async () => {
        calls += 1;
        throw new TargetDeliveryError('throttled', 'THROTTLING', true);
      },
    });
    const receivedAt = deps.now() - 55_000;
    const outcome = await deliverToTarget(event, receivedAt, rule, lambdaTarget({ RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 }, DeadLetterConfig: { Arn: dlqArn } }), deps);
    expect(outcome).to.deep.include({ delivered: false, exhausted: 'MaximumEventAgeInSeconds' });
    expect(calls).to.be.within(2, 4);
    expect(dlq[0]!.attributes.EXHAUSTED_RETRY_CONDITION).to.equal('MaximumEventAgeInSeconds');
  });

  it('sends a missing target to the DLQ at once, without retries', async function () {
    let calls = 0;
    const { deps, dlq, sleeps } = deliveryDeps({
      send: async () => {
        calls += 1;
        throw new TargetDeliveryError('Function not found', 'RESOURCE_NOT_FOUND', false);
      },
    });
    await deliverToTarget(event, deps.now(), rule, lambdaTarget({ DeadLetterConfig: { Arn: dlqArn } }), deps);
    expect([calls, sleeps.length]).to.deep.equal([1, 0]);
    expect(dlq[0]!.attributes).to.include({ ERROR_CODE: 'RESOURCE_NOT_FOUND', RETRY_ATTEMPTS: '0' }).and.not.have.property('EXHAUSTED_RETRY_CONDITION');
  });

  it('without a DLQ drops the event and says so', async function () {
    const { deps, logs } = deliveryDeps({ send: async () => Promise.reject(new TargetDeliveryError('gone', 'RESOURCE_NOT_FOUND', false)) });
    const outcome = await deliverToTarget(event, deps.now(), rule, lambdaTarget(), deps);
    expect(outcome).to.deep.include({ delivered: false, deadLettered: false });
    expect(logs.join('\n')).to.match(/dropped event e-1 .*no DLQ/);
  });

  it('a template that renders to bad JSONPath is an input error, not retried', async function () {
    let calls = 0;
    const { deps, dlq } = deliveryDeps({ send: async () => void (calls += 1) });
    await deliverToTarget(event, deps.now(), rule, lambdaTarget({ InputPath: 'detail', DeadLetterConfig: { Arn: dlqArn } }), deps);
    expect(calls).to.equal(0);
    expect(dlq[0]!.attributes.ERROR_CODE).to.equal('INVALID_PARAMETER');
  });
});

describe('local Lambda asynchronous invocation (what an accepted EventBridge delivery becomes)', function () {
  const functionArn = 'arn:aws:lambda:us-east-1:123456789012:function:sweeper';
  function asyncDeps(results: ('ok' | 'fail')[]) {
    let time = 0;
    const sent: { arn: string; body: string; attributes?: Record<string, string> }[] = [];
    const sleeps: number[] = [];
    let calls = 0;
    const deps: AsyncInvokeDeps = {
      invoke: async () => {
        const result = results[Math.min(calls, results.length - 1)];
        calls += 1;
        return result === 'ok' ? { ok: true, payload: { swept: 1 } } : { ok: false, errorType: 'Error', errorMessage: 'ledger unavailable' };
      },
      send: async (arn, body, attributes) => void sent.push({ arn, body, attributes }),
      now: () => time,
      sleep: async (ms) => {
        sleeps.push(ms);
        time += ms;
      },
      log: () => {},
    };
    return { deps, sent, sleeps, calls: () => calls };
  }

  it('retries function errors 1 and 2 minutes apart and succeeds', async function () {
    const { deps, sleeps, sent } = asyncDeps(['fail', 'fail', 'ok']);
    const outcome = await runAsyncInvocation(functionArn, 'r-1', { a: 1 }, { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 }, deps);
    expect(outcome).to.deep.equal({ ok: true, attempts: 3 });
    expect(sleeps).to.deep.equal([60_000, 120_000]);
    expect(sent).to.deep.equal([]);
  });

  it('after the retries sends the invocation record to the on-failure destination and the payload to the function DLQ', async function () {
    const { deps, sent, calls } = asyncDeps(['fail']);
    const config = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600, onFailure: 'arn:aws:sqs:us-east-1:123456789012:sweeper-failures', deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:sweeper-dlq' };
    const outcome = await runAsyncInvocation(functionArn, 'r-2', { a: 1 }, config, deps);
    expect(calls()).to.equal(3);
    expect(outcome).to.deep.include({ ok: false, condition: 'RetriesExhausted' });
    const record = JSON.parse(sent[0]!.body) as Record<string, Record<string, unknown>>;
    expect(sent[0]!.arn).to.equal(config.onFailure);
    expect(record.requestContext).to.deep.equal({ requestId: 'r-2', functionArn: `${functionArn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 });
    expect(record.requestPayload).to.deep.equal({ a: 1 });
    expect(record.responseContext).to.deep.include({ functionError: 'Unhandled' });
    expect(record.responsePayload).to.deep.equal({ errorType: 'Error', errorMessage: 'ledger unavailable' });
    expect(sent[1]).to.deep.equal({ arn: config.deadLetterArn, body: '{"a":1}', attributes: { RequestID: 'r-2', ErrorCode: '200', ErrorMessage: 'ledger unavailable' } });
  });

  it('gives up when the next retry would pass the maximum event age (90 s: the 1-minute retry runs, the 2-minute one does not)', async function () {
    const { deps, sent, calls } = asyncDeps(['fail']);
    const outcome = await runAsyncInvocation(functionArn, 'r-3', {}, { maximumRetryAttempts: 2, maximumEventAgeSeconds: 90, onFailure: 'arn:aws:sqs:us-east-1:123456789012:f' }, deps);
    expect(calls()).to.equal(2);
    expect(outcome).to.deep.include({ ok: false, condition: 'EventAgeExceeded' });
    expect((JSON.parse(sent[0]!.body) as { requestContext: { condition: string } }).requestContext.condition).to.equal('EventAgeExceeded');
  });

  it('MaximumRetryAttempts 0 means one attempt', async function () {
    const { deps, calls } = asyncDeps(['fail']);
    await runAsyncInvocation(functionArn, 'r-4', {}, { maximumRetryAttempts: 0, maximumEventAgeSeconds: 3600 }, deps);
    expect(calls()).to.equal(1);
  });
});

describe('local EventBridge: the shim hand-off', function () {
  it('reads moto events as AWS sends them (ISO time, no ingestion-time)', function () {
    const handOff = parseHandOff(JSON.stringify({ ruleArn: rule.ruleArn, targetId: 't', event: { ...event, time: 1_795_428_000.25, 'ingestion-time': 1_795_428_000.3 } }));
    expect(handOff.event.time).to.equal('2026-11-23T10:00:00Z');
    expect(handOff.event).to.not.have.property('ingestion-time');
    expect(normaliseMotoEvent({ time: '2026-11-23T10:00:00Z' }).time).to.equal('2026-11-23T10:00:00Z');
    expect(() => parseHandOff('{"event": {}}')).to.throw('expected');
  });
});
