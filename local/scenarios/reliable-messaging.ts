import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import contract from '../../functions/reliable-messaging/contract.json';
import { redisKeyFor, sha256Hex } from '../../functions/reliable-messaging/pointer';
import { EMULATOR_CREDENTIALS } from '../emulator/moto';
import type { Endpoint } from '../gateway/server';
import { executionsReport, localRedis } from '../session';
import { signedFetch } from '../signed-fetch';
import type { ExecutionRecord } from '../step-functions/index';
import { routeOf, sleep, type Scenario } from './scenario';

export interface ReliableMessagingSummary {
  state_machine_arn: string;
  archive_bucket: string;
  salvage_bucket: string;
  table_name: string;
  subscriber_queue_url: string;
  redis_auth_secret_arn: string;
}

/** Where one accepted message ended, looked up everywhere it could be. */
export interface MessageWhereabouts {
  messageId: string;
  execution?: ExecutionRecord;
  /** Executions the emulator recorded under this name (a duplicate must not add one). */
  executionsNamed: number;
  archive?: { key: string; sha256: string; bytes: number };
  metadata?: Record<string, string>;
  /** The aggregate event's detail, as the subscriber queue got it. */
  aggregate?: Record<string, unknown>;
  redisKeyPresent: boolean;
}

export interface ReliableMessagingProbe {
  /** POSTs a body (signed, as the API wants AWS_IAM) with an optional Idempotency-Key. */
  send(body: string, idempotencyKey?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Waits until each id's execution ended (or the timeout), then looks everything up. */
  whereabouts(messageIds: string[], timeoutMs?: number): Promise<MessageWhereabouts[]>;
  close(): void;
}

/**
 * What the demo and the end-to-end tests read: the API, the runtime's execution records, the archive
 * bucket, the metadata table, the subscriber queue and the local Redis, for a running stack.
 */
export async function reliableMessagingProbe(emulatorEndpoint: string, messages: Endpoint, summary: ReliableMessagingSummary): Promise<ReliableMessagingProbe> {
  const apiUrl = new URL(messages.url).origin;
  const config = { endpoint: emulatorEndpoint, region: 'us-east-1', credentials: EMULATOR_CREDENTIALS, forcePathStyle: true };
  const s3 = new S3Client(config);
  const dynamodb = new DynamoDBClient(config);
  const sqs = new SQSClient(config);
  const sfn = new SFNClient(config);
  const { SecretString: password } = await new SecretsManagerClient(config).send(new GetSecretValueCommand({ SecretId: summary.redis_auth_secret_arn }));
  const address = Object.values(await localRedis(apiUrl)).find(Boolean);
  if (!address) throw new Error('the runtime serves no local Redis (/_local/redis is empty)');
  const redis = new Redis({ host: address.host, port: address.port, password, tls: { ca: readFileSync(address.caPath) }, lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined); // a fault run stops the server now and then; a lookup then fails loudly
  const aggregates = new Map<string, Record<string, unknown>>();

  /** Drains the subscriber queue, keeping (and deleting) the events of our messages; others go back. */
  async function readAggregates(wanted: Set<string>): Promise<void> {
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: summary.subscriber_queue_url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) return;
      const ours = Messages.filter((m) => {
        const detail = (JSON.parse(m.Body ?? '{}') as { detail?: Record<string, unknown> }).detail;
        const id = typeof detail?.messageId === 'string' ? detail.messageId : '';
        if (!wanted.has(id)) return false;
        aggregates.set(id, detail!);
        return true;
      });
      const others = Messages.filter((m) => !ours.includes(m));
      const entries = (list: typeof Messages) => list.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! }));
      if (ours.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: summary.subscriber_queue_url, Entries: entries(ours) }));
      if (others.length) await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: summary.subscriber_queue_url, Entries: entries(others).map((e) => ({ ...e, VisibilityTimeout: 0 })) }));
      if (others.length === Messages.length) return;
    }
  }

  async function lookUp(messageId: string, execution: ExecutionRecord | undefined): Promise<MessageWhereabouts> {
    const key = `${contract.archivePrefix}${messageId}`;
    let archive: MessageWhereabouts['archive'];
    try {
      const bytes = await (await s3.send(new GetObjectCommand({ Bucket: summary.archive_bucket, Key: key }))).Body!.transformToByteArray();
      archive = { key, sha256: sha256Hex(bytes), bytes: bytes.length };
    } catch {
      archive = undefined;
    }
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: summary.table_name, Key: { [contract.metadataKey]: { S: messageId } } }));
    const metadata = Item ? Object.fromEntries(Object.entries(Item).map(([k, v]) => [k, v.S ?? v.N ?? JSON.stringify(v)])) : undefined;
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: summary.state_machine_arn, maxResults: 1000 }));
    const redisKeyPresent = (await redis.exists(redisKeyFor(messageId))) === 1;
    return { messageId, execution, executionsNamed: executions.filter((e) => e.name === messageId).length, archive, metadata, aggregate: aggregates.get(messageId), redisKeyPresent };
  }

  return {
    async send(body, idempotencyKey) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(idempotencyKey && { 'idempotency-key': idempotencyKey }), ...(messages.apiKey && { 'x-api-key': messages.apiKey }) };
      const response = await signedFetch(messages.url, { method: 'POST', headers, body });
      const text = await response.text();
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = { raw: text };
      }
      return { status: response.status, body: parsed };
    },
    async whereabouts(messageIds, timeoutMs = 120_000) {
      const wanted = new Set(messageIds);
      const deadline = Date.now() + timeoutMs;
      let ended = new Map<string, ExecutionRecord>();
      for (;;) {
        const { executions } = await executionsReport(apiUrl);
        ended = new Map(executions.filter((e) => wanted.has(e.name)).map((e) => [e.name, e]));
        await readAggregates(wanted);
        if (ended.size === wanted.size || Date.now() > deadline) break;
        await sleep(500);
      }
      await sleep(300); // the last event's delivery to the queue
      await readAggregates(wanted);
      return Promise.all(messageIds.map((id) => lookUp(id, ended.get(id))));
    },
    close: () => redis.disconnect(),
  };
}

/** A JSON body of about `bytes` bytes (an audit record with a large attachment). */
export const jsonBodyOf = (bytes: number, label: string): string => {
  const head = JSON.stringify({ kind: 'audit', label, attachment: '' });
  return JSON.stringify({ kind: 'audit', label, attachment: randomBytes(Math.ceil(bytes / 2)).toString('hex').slice(0, Math.max(0, bytes - head.length)) });
};

const sizes = [
  { label: '300 KB', bytes: 300 * 1024 },
  { label: '1 MB', bytes: 1024 * 1024 },
  { label: '5 MB', bytes: 5 * 1024 * 1024 },
];

/** 300 KB, 1 MB and 5 MB messages and a duplicate of the 1 MB one; then where each one ended. */
export const reliableMessaging: Scenario = {
  pipeline: 'reliable_messaging',
  sampleBodies: { 'POST /messages': { kind: 'audit', actor: 'demo', action: 'login' } },

  async demo({ emulatorEndpoint, pipeline, endpoints }) {
    const endpoint = endpoints.find((e) => routeOf(e) === 'POST /messages');
    if (!endpoint) return;
    const probe = await reliableMessagingProbe(emulatorEndpoint, endpoint, pipeline as unknown as ReliableMessagingSummary);
    try {
      const run = randomBytes(3).toString('hex');
      const bodies = sizes.map((s) => ({ ...s, key: `demo-${run}-${s.label.replace(' ', '').toLowerCase()}`, body: jsonBodyOf(s.bytes, s.label) }));
      console.log(`\nreliable messaging: ${bodies.map((b) => `${b.label} (${b.body.length} bytes)`).join(', ')}, then the 1 MB one again with the same Idempotency-Key`);
      for (const b of bodies) {
        const answer = await probe.send(b.body, b.key);
        console.log(`  ${b.label.padEnd(6)} -> ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      const duplicate = bodies[1]!;
      const again = await probe.send(duplicate.body, duplicate.key);
      console.log(`  duplicate of ${duplicate.label} -> ${again.status} ${JSON.stringify(again.body)}`);

      const found = await probe.whereabouts(bodies.map((b) => b.key));
      for (const [i, where] of found.entries()) {
        const sent = bodies[i]!;
        const sha = sha256Hex(sent.body);
        console.log(`  ${sent.label}: execution ${where.execution?.status ?? 'not finished'}${where.execution?.error ? ` (${where.execution.error})` : ''}, ${where.executionsNamed} execution(s) named ${where.messageId}`);
        console.log(`    archive  ${where.archive ? `${where.archive.key}, ${where.archive.bytes} bytes, sha256 ${where.archive.sha256 === sha ? 'matches' : 'DIFFERS'}` : 'missing'}`);
        console.log(`    metadata ${where.metadata ? `status ${where.metadata.status}, ${where.metadata.bytes} bytes, execution ${where.metadata.executionName}` : 'missing'}`);
        console.log(`    event    ${where.aggregate ? `MessageArchived on the subscriber queue (archive ${JSON.stringify((where.aggregate.archive as { key?: string } | undefined)?.key)})` : 'not on the subscriber queue'}`);
        console.log(`    redis    ${where.redisKeyPresent ? `${redisKeyFor(where.messageId)} STILL PRESENT` : `${redisKeyFor(where.messageId)} gone`}`);
      }
    } finally {
      probe.close();
    }
  },
};
