// Re-submits the messages in the reliable-messaging salvage bucket through the API, then moves each
// replayed object under replayed/ (nothing is deleted).
//   npx tsx scripts/replay-salvage.ts --bucket <salvage bucket> --url <POST /messages URL> [--dry-run] [--max N]
// The API is IAM-authorised: requests are signed with the AWS SDK's credentials (the emulator's locally).
// Exit code: 0 when every object was replayed (or --dry-run / --max), 1 when some were left in place
// (the JSON line says how many), 2 on a usage or setup error.
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { signedFetch } from '../local/signed-fetch';
import { progressLine, rate } from './lib/progress';
import { replaySalvage, type ReplayRequest, type ReplayResponse } from './lib/replay-salvage';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      bucket: { type: 'string' },
      url: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      max: { type: 'string' },
    },
  });
  if (!values.bucket || (!values.url && !values['dry-run'])) throw new Error('usage: replay-salvage --bucket <name> --url <POST /messages URL> [--dry-run] [--max N]');
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new Error('--max must be a positive integer');

  const s3 = new S3Client({});
  const credentials = await s3.config.credentials();
  const region = await s3.config.region();
  const post = async ({ body, headers }: ReplayRequest): Promise<ReplayResponse> => {
    const response = await signedFetch(values.url!, { method: 'POST', headers, body }, { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken, region });
    const text = await response.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { message: text };
    }
    return { status: response.status, body: parsed };
  };
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const progress = progressLine();
  const result = await replaySalvage(s3, {
    bucket: values.bucket,
    dryRun: values['dry-run'],
    max,
    post,
    signal: abort.signal,
    log: (line) => {
      progress.done();
      console.error(line);
    },
    onProgress: ({ replayed, failed, elapsedMs }) => progress.update(`replay: ${replayed} replayed, ${failed} left in place, ${rate(replayed + failed, elapsedMs)}`),
  });
  progress.done();
  console.log(JSON.stringify({ ...result, bucket: values.bucket }));
  if (result.dryRun || result.complete) return 0;
  console.error(`replay incomplete: ${result.failed} object(s) left in place${result.stoppedBy ? `, stopped by ${result.stoppedBy}` : ''}. Fix the cause and run it again.`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`replay-salvage failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
