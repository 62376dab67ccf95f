// Moves messages from a dead-letter queue back to its source queue.
//   npx tsx scripts/redrive.ts --dlq <url> [--to <url>] [--dry-run] [--max N]
// Without --to, the destination is read from the DLQ's redrive allow policy when it names one queue.
// Exit code: 0 when every message moved and the DLQ is empty (or --max was reached), 1 when messages
// failed or remain (the JSON line says how many), 2 on a usage or setup error.
import { parseArgs } from 'node:util';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { progressLine, rate } from './lib/progress';
import { redrive } from './lib/redrive';

async function destinationFromAllowPolicy(sqs: SQSClient, dlqUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['RedriveAllowPolicy'] }));
  const policy = Attributes?.RedriveAllowPolicy ? (JSON.parse(Attributes.RedriveAllowPolicy) as { sourceQueueArns?: string[] }) : {};
  const [sourceArn, ...others] = policy.sourceQueueArns ?? [];
  if (!sourceArn || others.length > 0) throw new Error('give --to: the DLQ does not name exactly one source queue in its redrive allow policy');
  const [, , , , account, name] = sourceArn.split(':');
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
  if (!QueueUrl) throw new Error(`source queue ${sourceArn} not found`);
  return QueueUrl;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      dlq: { type: 'string' },
      to: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      max: { type: 'string' },
    },
  });
  if (!values.dlq) throw new Error('usage: redrive --dlq <url> [--to <url>] [--dry-run] [--max N]');
  const maxMessages = values.max === undefined ? undefined : Number(values.max);
  if (maxMessages !== undefined && (!Number.isInteger(maxMessages) || maxMessages < 1)) throw new Error('--max must be a positive integer');

  const sqs = new SQSClient({});
  const destination = values.to ?? (await destinationFromAllowPolicy(sqs, values.dlq));
  // Ctrl-C: finish the messages in hand, make the unmoved ones visible again, then report.
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const progress = progressLine();
  const result = await redrive(sqs, {
    sourceQueueUrl: values.dlq,
    destinationQueueUrl: destination,
    dryRun: values['dry-run'],
    maxMessages,
    signal: abort.signal,
    log: (line) => {
      progress.done();
      console.error(line);
    },
    onProgress: ({ moved, failed, elapsedMs }) => progress.update(`redrive: moved ${moved}, failed ${failed}, ${rate(moved + failed, elapsedMs)}`),
  });
  progress.done();
  console.log(JSON.stringify({ ...result, from: values.dlq, to: destination }));
  if (result.dryRun || result.complete) return 0;
  console.error(
    `redrive incomplete: ${result.failed} failed${result.released > 0 ? ` (${result.released} made visible again)` : ''}; about ${result.remaining} messages remain in the DLQ ` +
      `(${result.after.visible} visible, ${result.after.inFlight} in flight${result.after.inFlight > 0 ? ': received by another consumer or an earlier run, back when their visibility timeout ends' : ''}). ` +
      'Fix the cause and run it again.',
  );
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`redrive failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
