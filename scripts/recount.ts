// The notes pipeline's redrive: sends a count request for every note whose current version has no count.
//   npx tsx scripts/recount.ts --table <name> --queue <url> [--min-age-seconds 300] [--dry-run]
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { progressLine } from './lib/progress';
import { recountUncounted } from './lib/recount';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      table: { type: 'string' },
      queue: { type: 'string' },
      'min-age-seconds': { type: 'string', default: '300' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  if (!values.table || !values.queue) throw new Error('usage: recount --table <name> --queue <url> [--min-age-seconds N] [--dry-run]');
  const minAgeSeconds = Number(values['min-age-seconds']);
  if (!Number.isInteger(minAgeSeconds) || minAgeSeconds < 0) throw new Error('--min-age-seconds must be a whole number >= 0');
  const progress = progressLine();
  const result = await recountUncounted(new DynamoDBClient({}), new SQSClient({}), {
    tableName: values.table,
    queueUrl: values.queue,
    minAgeSeconds,
    dryRun: values['dry-run'],
    onProgress: ({ scanned, uncounted, sent, failed }) => progress.update(`recount: scanned ${scanned}, uncounted ${uncounted}, sent ${sent}, failed ${failed}`),
  });
  progress.done();
  console.log(JSON.stringify({ ...result, table: values.table, queue: values.queue, dryRun: values['dry-run'] }));
  return result.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`recount failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
