// Sends generated order events into the streaming-events pipeline, through Firehose or straight to the FIFO queue.
//   npx tsx scripts/generate-events.ts --via firehose --stream <delivery stream> [--count 10000] [--rate 500]
//   npx tsx scripts/generate-events.ts --via sqs --queue <fifo queue url> [--count 10000] [--rate 500]
// Options: --invalid-share 0.02, --duplicate-share 0.01, --same-ms-share 0.05, --seed N (default: random),
// --start <ISO time of the first event> (default: now); the same seed and start give the same records.
// Prints one progress line on a terminal, then a JSON summary; exit code 1 when a record was refused.
import { parseArgs } from 'node:util';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { SQSClient } from '@aws-sdk/client-sqs';
import { progressLine, rate } from './lib/progress';
import { countRecords, generateEvents, sendViaFirehose, sendViaSqs, type SendProgress } from './lib/generate-events';

const USAGE = 'usage: generate-events --via firehose --stream <name> | --via sqs --queue <url> [--count N] [--rate N] [--invalid-share F] [--duplicate-share F] [--same-ms-share F] [--seed N] [--start ISO]';

function number(name: string, text: string | undefined, { min = 0, max = Number.POSITIVE_INFINITY, integer = false } = {}): number {
  const value = Number(text);
  if (text === undefined || text === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min}${Number.isFinite(max) ? ` to ${max}` : ''}, got ${JSON.stringify(text)}\n${USAGE}`);
  }
  return value;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      via: { type: 'string', default: 'firehose' },
      stream: { type: 'string' },
      queue: { type: 'string' },
      count: { type: 'string', default: '1000' },
      rate: { type: 'string', default: '0' },
      'invalid-share': { type: 'string', default: '0.02' },
      'duplicate-share': { type: 'string', default: '0.01' },
      'same-ms-share': { type: 'string', default: '0.05' },
      seed: { type: 'string' },
      start: { type: 'string' },
    },
  });
  const via = values.via;
  if (via !== 'firehose' && via !== 'sqs') throw new Error(`--via must be firehose or sqs\n${USAGE}`);
  if (via === 'firehose' && !values.stream) throw new Error(`--via firehose needs --stream\n${USAGE}`);
  if (via === 'sqs' && !values.queue) throw new Error(`--via sqs needs --queue\n${USAGE}`);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : number('seed', values.seed, { integer: true });
  const start = values.start === undefined ? new Date() : new Date(values.start);
  if (Number.isNaN(start.getTime())) throw new Error(`--start must be an ISO date and time, got ${JSON.stringify(values.start)}\n${USAGE}`);
  const records = generateEvents({
    count: number('count', values.count, { min: 1, integer: true }),
    invalidShare: number('invalid-share', values['invalid-share'], { max: 1 }),
    duplicateShare: number('duplicate-share', values['duplicate-share'], { max: 1 }),
    sameMillisecondShare: number('same-ms-share', values['same-ms-share'], { max: 1 }),
    seed,
    start,
    textOnly: via === 'sqs',
  });
  const progress = progressLine();
  const onProgress = (p: SendProgress) => progress.update(`generate: sent ${p.sent}/${p.total}, refused ${p.refused}, ${rate(p.sent, p.elapsedMs)}`);
  const options = { rate: number('rate', values.rate), onProgress };
  const summary = via === 'firehose' ? await sendViaFirehose(new FirehoseClient({}), values.stream!, records, options) : await sendViaSqs(new SQSClient({}), values.queue!, records, options);
  progress.done();
  console.log(JSON.stringify({ via, seed, start: start.toISOString(), generated: countRecords(records), sent: summary.sent, refused: summary.refused, reasons: summary.reasons, calls: summary.calls, retries: summary.retries, seconds: summary.elapsedMs / 1000, rate: rate(summary.sent, summary.elapsedMs) }));
  return summary.refused > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`generate-events failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
