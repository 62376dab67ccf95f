// Reliable messaging: the ingest core (validate, SHA-256, Redis SET NX EX over TLS, StartExecution)
// against a plain S3 PutObject of the same payload, on this machine: a local redis-server (TLS +
// AUTH, as ElastiCache runs it) and moto for S3 and Step Functions.
//   npx tsx bench/reliable-messaging.ts [iterations]
// Caveat printed with the table: moto is a Python emulator on loopback, not S3 (no disks, no
// replication, no network), so the ratio says little about AWS: measure there before relying on it.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ingest } from '../functions/reliable-messaging/ingest';
import { redisConnection } from '../functions/reliable-messaging/redis';
import { startMoto } from '../local/emulator/moto';
import { startRedis } from '../local/redis-server';

const SIZES = [{ label: '256 KB', bytes: 256 * 1024 }, { label: '1 MB', bytes: 1024 * 1024 }, { label: '5 MB', bytes: 5 * 1024 * 1024 }];
const iterations = Number(process.argv[2] ?? 15);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const payload = (bytes: number) => {
  const prefix = '{"data":"';
  return `${prefix}${randomBytes(bytes).toString('hex').slice(0, bytes - prefix.length - 2)}"}`;
};
async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const moto = await startMoto();
const redisServer = await startRedis();
Object.assign(process.env, { AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });
try {
  const s3 = new S3Client({ forcePathStyle: true });
  const sfn = new SFNClient({});
  const secrets = new SecretsManagerClient({});
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  const secretArn = (await secrets.send(new CreateSecretCommand({ Name: 'redis-auth', SecretString: redisServer.password }))).ARN!;
  const stateMachineArn = (await sfn.send(new CreateStateMachineCommand({
    name: 'bench', roleArn: 'arn:aws:iam::123456789012:role/bench', definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
  }))).stateMachineArn!;
  const redis = redisConnection(secrets, { REDIS_HOST: redisServer.host, REDIS_PORT: redisServer.port, REDIS_TLS: 'true', REDIS_AUTH_SECRET_ARN: secretArn }, { ca: readFileSync(redisServer.caPath) });
  const client = await redis();
  const deps = { redis, sfn, s3, stateMachineArn, salvageBucket: 'bench' };

  const rows: string[][] = [];
  let run = 0;
  for (const size of SIZES) {
    const body = payload(size.bytes);
    const ingestMs: number[] = [];
    const setMs: number[] = [];
    const putMs: number[] = [];
    for (let i = -2; i < iterations; i++) { // two warm-up rounds, not counted
      const id = `bench-${run++}`;
      const a = await timed(async () => {
        const result = await ingest(deps, { body, headers: { 'content-type': 'application/json', 'idempotency-key': id } });
        if (result.outcome !== 'started') throw new Error(`ingest answered ${result.statusCode} ${JSON.stringify(result.body)}`);
      });
      await client.del(`msg:${id}`);
      const buffer = Buffer.from(body);
      const b = await timed(() => client.set(`raw:${id}`, buffer, 'EX', 60));
      await client.del(`raw:${id}`);
      const c = await timed(() => s3.send(new PutObjectCommand({ Bucket: 'bench', Key: `put/${id}`, Body: buffer })));
      if (i >= 0) {
        ingestMs.push(a);
        setMs.push(b);
        putMs.push(c);
      }
    }
    const mbps = (ms: number) => (size.bytes / 1024 / 1024 / (ms / 1000)).toFixed(1);
    const [ingestMedian, setMedian, putMedian] = [median(ingestMs), median(setMs), median(putMs)];
    rows.push([size.label, ingestMedian.toFixed(1), mbps(ingestMedian), setMedian.toFixed(1), putMedian.toFixed(1), mbps(putMedian), (putMedian / ingestMedian).toFixed(2)]);
  }
  client.disconnect();
  const header = ['payload', 'ingest core ms', 'MB/s', 'Redis SET ms', 'S3 PutObject ms', 'MB/s', 'PutObject / ingest'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`Reliable messaging, median of ${iterations} runs (node ${process.version}; redis-server 7.0 with TLS + AUTH and moto, both on loopback):`);
  console.log([line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n'));
  console.log('ingest core = validate (JSON parse) + SHA-256 + SET NX EX over TLS + StartExecution (moto). A ratio above 1 means Redis first answered sooner.');
  console.log('Caveat: moto keeps objects in memory in a Python process on loopback (no disks, replication or network), and redis-server runs on the same machine: neither column predicts AWS, where both cross a network; measure there before relying on the ratio.');
} finally {
  await redisServer.stop();
  await moto.stop();
}
