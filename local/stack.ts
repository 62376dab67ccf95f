import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient, ListEventSourceMappingsCommand, type EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { EMULATOR_CREDENTIALS, startMoto, type RunningMoto } from './emulator/moto';
import { startLocalEventBridge, type LocalEventBridge } from './eventbridge/index';
import { adapterFor } from './event-sources/index';
import { startFaultProxy, type FaultProxy } from './faults/proxy';
import { startLocalFirehose, type LocalFirehose } from './firehose/index';
import { createFunctionRunner, type FunctionRunner } from './functions/runner';
import { loadRestApis } from './gateway/load';
import { deployedPipelines, type PipelineSummary } from './pipelines';
import { startApiServer, type Endpoint } from './gateway/server';
import { startRedis, type RunningRedis } from './redis-server';
import { startStateMachineRunner, type ExecutionRecord, type StateMachineRunner, type StateMachineStats } from './step-functions/index';
import { restoreSnapshot, saveSnapshot, snapshotKey, snapshotPort } from './snapshot';
import { applyFromScratchWithOneRetry, terraformApply, terraformOutputs, type TerraformOptions } from './terraform';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REGION = 'us-east-1';

export interface LocalStackOptions {
  /** Emulator port (0 = any free port). */
  emulatorPort?: number;
  /** API port (0 = any free port). */
  apiPort?: number;
  /** Keeps the resources apart from other runs (tests use their own). */
  namePrefix?: string;
  /** Where state and unpacked functions go. */
  workDir?: string;
  log?: (line: string) => void;
}

/** One step of the start-up and how long it took. */
export interface StartupPhase {
  phase: string;
  seconds: number;
}

export interface MappingStats {
  source: string;
  functionName: string;
  received: number;
  done: number;
  failed: number;
}

export interface LocalStack {
  stats: MappingStats[];
  emulatorEndpoint: string;
  apiUrl: string;
  endpoints: Endpoint[];
  /** Every output of infra/local. */
  outputs: Record<string, unknown>;
  /** Deployed pipelines by name, each its stack summary (the `pipelines` output). */
  pipelines: Record<string, PipelineSummary>;
  /** Sensitive values by pipeline (the `pipeline_secrets` output). */
  pipelineSecrets: Record<string, Record<string, unknown>>;
  mappings: EventSourceMappingConfiguration[];
  /** State machine executions run locally: counters per machine and finished executions. */
  stepFunctions: Pick<StateMachineRunner, 'stats' | 'records'>;
  /** Schedules and rules with Lambda targets (fire a schedule now, wait until deliveries settle). */
  eventBridge: Pick<LocalEventBridge, 'rules' | 'stats' | 'fire' | 'idle'>;
  /** Delivery streams with an S3 destination (flush the buffers now). */
  firehose: Pick<LocalFirehose, 'streams' | 'flush'>;
  /** The local redis-server standing in for a pipeline's ElastiCache, by pipeline. */
  redis: Record<string, LocalRedis>;
  /**
   * The functions' (and the state machines' direct integrations') way to the emulator: a pass-through
   * until a fault is injected (fault runs; see local/faults/proxy.ts).
   */
  faults: FaultProxy;
  /** Where the start-up spent its time, in order. */
  startup: StartupPhase[];
  stop(): Promise<void>;
}

/** What /_local/executions answers. */
export interface ExecutionsReport {
  stateMachines: StateMachineStats[];
  executions: ExecutionRecord[];
}

/** Where a pipeline's local Redis listens (what /_local/redis answers; the token is the pipeline's secret). */
export interface LocalRedisAddress {
  host: string;
  port: number;
  caPath: string;
  running: boolean;
}

/** A pipeline's Redis, served locally; stop() and start() again on the same port and token (fault runs). */
export interface LocalRedis {
  host: string;
  port: number;
  caPath: string;
  /** The address the functions were deployed with (the ElastiCache endpoint). */
  deployed: { host: string; port: number };
  running(): boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function listMappings(lambda: LambdaClient): Promise<EventSourceMappingConfiguration[]> {
  const mappings: EventSourceMappingConfiguration[] = [];
  let Marker: string | undefined;
  do {
    const page = await lambda.send(new ListEventSourceMappingsCommand({ Marker }));
    mappings.push(...(page.EventSourceMappings ?? []));
    Marker = page.NextMarker;
  } while (Marker);
  return mappings;
}

/**
 * A pipeline whose summary names a Redis endpoint and its AUTH token secret (ElastiCache, which the
 * emulator creates as a name with nothing behind it) gets a local redis-server with TLS and that
 * token, and every function deployed with that endpoint is pointed at it.
 */
async function startPipelineRedis(name: string, summary: PipelineSummary, secrets: SecretsManagerClient, runner: FunctionRunner, dir: string, log: (line: string) => void): Promise<LocalRedis | undefined> {
  const { redis_host: host, redis_port: port, redis_auth_secret_arn: secretArn } = summary;
  if (typeof host !== 'string' || (typeof port !== 'number' && typeof port !== 'string') || typeof secretArn !== 'string') return undefined;
  const { SecretString: password } = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!password) throw new Error(`${name}: the Redis AUTH token secret ${secretArn} has no SecretString`);
  let server: RunningRedis = await startRedis({ dir, password });
  runner.addEnvironmentOverride({
    when: { REDIS_HOST: host, REDIS_PORT: String(port) },
    set: { REDIS_HOST: server.host, REDIS_PORT: String(server.port), NODE_EXTRA_CA_CERTS: server.caPath },
  });
  log(`[local] ${name}: redis-server (TLS, AUTH from ${secretArn.split(':').pop()}) on ${server.host}:${server.port} stands in for ${host}:${port}`);
  let up = true;
  return {
    host: server.host,
    port: server.port,
    caPath: server.caPath,
    deployed: { host, port: Number(port) },
    running: () => up,
    async stop() {
      up = false;
      await server.stop();
    },
    async start() {
      if (up) return;
      server = await startRedis({ dir, password, port: server.port });
      up = true;
    },
  };
}

/** Times the start-up step by step: end(name) closes a phase now, measured(name, seconds) one timed elsewhere. */
function phaseTimer(phases: StartupPhase[]) {
  let last = Date.now();
  return {
    end(phase: string) {
      const now = Date.now();
      phases.push({ phase, seconds: (now - last) / 1000 });
      last = now;
    },
    measured(phase: string, seconds: number) {
      phases.push({ phase, seconds });
      last += seconds * 1000;
    },
  };
}
type PhaseTimer = ReturnType<typeof phaseTimer>;

/** A Terraform state and its backup, gone: the state must describe the emulator it is applied to. */
function removeState(statePath: string): void {
  rmSync(statePath, { force: true });
  rmSync(`${statePath}.backup`, { force: true });
}

/**
 * What infra/local applied to this emulator: the saved snapshot when one matches everything the apply
 * depends on (local/snapshot.ts; LOCAL_REAPPLY=1 skips it), otherwise a full `terraform apply`, then
 * saved for the next start.
 */
async function deploy(moto: RunningMoto, terraform: TerraformOptions, artifactsDir: string, snapshotDir: string, phase: PhaseTimer, log: (line: string) => void): Promise<Record<string, unknown>> {
  const key = snapshotKey({ repoRoot, artifactsDir, variables: terraform.variables });
  if (!process.env.LOCAL_REAPPLY) {
    try {
      const outputs = await restoreSnapshot(snapshotDir, key, moto.endpoint, terraform.statePath);
      if (outputs) {
        log(`[local] emulator on ${moto.endpoint}: loaded the state applied before (infra/, dist/ and the emulator unchanged; LOCAL_REAPPLY=1 applies again)`);
        phase.end('emulator state loaded (no apply)');
        return outputs;
      }
    } catch (error) {
      log(`[local] the saved emulator state could not be loaded, applying instead: ${(error as Error).message}`);
      await moto.reset();
    }
  }
  log(`[local] emulator on ${moto.endpoint}; terraform apply of infra/local ...`);
  const startOver = async () => {
    await moto.reset();
    removeState(terraform.statePath);
  };
  const report = await applyFromScratchWithOneRetry(() => terraformApply(terraform), startOver, log);
  phase.measured(report.initSeconds > 0 ? 'terraform init' : 'terraform init (skipped: initialised for this configuration)', report.initSeconds);
  phase.measured('terraform plan (configuration, data sources)', report.planSeconds);
  const slowest = report.slowest.map((r) => `${r.address.replace(/^module\.stack\.module\./, '')} ${r.seconds} s`).join(', ');
  phase.measured(`terraform apply: ${report.resources} resources (slowest: ${slowest})`, report.applySeconds);
  const outputs = await terraformOutputs(terraform);
  phase.end('terraform output');
  try {
    await saveSnapshot(snapshotDir, key, moto.endpoint, terraform.statePath, outputs);
    phase.end('emulator state saved for the next start');
  } catch (error) {
    log(`[local] the emulator state was not saved (the next start applies again): ${(error as Error).message}`);
  }
  return outputs;
}

/**
 * Brings the stack up exactly as `make local` does: a fresh emulator, `terraform apply` of
 * infra/local (the same stack module as production), then the local runtime for what was applied:
 * every REST API served over HTTP and every event source mapping polled into its function.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const workDir = options.workDir ?? join(repoRoot, '.cache/local');
  const artifactsDir = join(repoRoot, 'dist');
  if (!existsSync(join(artifactsDir, 'manifest.json'))) throw new Error('dist/manifest.json missing: run make build first');
  const startup: StartupPhase[] = [];
  const phase = phaseTimer(startup);
  const snapshotDir = join(workDir, 'snapshot');

  // A caller that takes any port gets the one the saved emulator state was applied on, when it is free.
  const moto: RunningMoto = await startMoto({ port: options.emulatorPort || (await snapshotPort(snapshotDir)) });
  const faults = await startFaultProxy(moto.endpoint);
  phase.end('emulator start');
  const controller = new AbortController();
  const pollers: Promise<void>[] = [];
  let stopApi: (() => Promise<void>) | undefined;
  const redis: Record<string, LocalRedis> = {};
  const runner = createFunctionRunner({
    lambda: new LambdaClient({ endpoint: moto.endpoint, region: REGION, credentials: EMULATOR_CREDENTIALS }),
    emulatorEndpoint: faults.endpoint,
    region: REGION,
    artifactsDir,
    repoRoot,
    workDir: join(workDir, 'functions'),
    log,
  });

  const stop = async () => {
    controller.abort();
    await Promise.allSettled(pollers);
    await stopApi?.();
    runner.stop();
    await Promise.allSettled(Object.values(redis).map((r) => r.stop()));
    await faults.stop();
    await moto.stop();
  };

  try {
    // The state describes resources of the emulator we just started: a fresh emulator, a fresh state.
    const statePath = join(workDir, 'terraform.tfstate');
    removeState(statePath);
    const terraform: TerraformOptions = {
      dir: join(repoRoot, 'infra/local'),
      statePath,
      variables: { emulator_endpoint: moto.endpoint, artifacts_dir: artifactsDir, name_prefix: options.namePrefix ?? 'local' },
      log: (line: string) => log(`[terraform] ${line}`),
    };
    const outputs = await deploy(moto, terraform, artifactsDir, snapshotDir, phase, log);

    const lambda = new LambdaClient({ endpoint: moto.endpoint, region: REGION, credentials: EMULATOR_CREDENTIALS });
    const mappings = await listMappings(lambda);
    const stats: MappingStats[] = [];
    for (const mapping of mappings) {
      const adapter = adapterFor(mapping);
      if (!adapter) {
        log(`[local] no local poller for ${mapping.EventSourceArn} yet: mapping ${mapping.UUID} is not live`);
        continue;
      }
      const counters: MappingStats = { source: mapping.EventSourceArn!, functionName: mapping.FunctionArn!.split(':')[6]!, received: 0, done: 0, failed: 0 };
      stats.push(counters);
      const context = { endpoint: moto.endpoint, region: REGION, runner, signal: controller.signal, log, stats: counters };
      pollers.push(
        adapter(mapping, context).catch((error: unknown) => {
          if (!controller.signal.aborted) log(`[local] poller for ${mapping.EventSourceArn} stopped: ${(error as Error).message}`);
        }),
      );
    }

    const { pipelines, secrets } = deployedPipelines(outputs);
    const clientConfig = { endpoint: moto.endpoint, region: REGION, credentials: EMULATOR_CREDENTIALS };
    const secretsManager = new SecretsManagerClient(clientConfig);
    for (const [name, summary] of Object.entries(pipelines)) {
      const local = await startPipelineRedis(name, summary, secretsManager, runner, join(workDir, 'redis', name), log);
      if (local) redis[name] = local;
    }

    // Executions the functions start are recorded by the emulator, never run: they run here.
    const stepFunctions = startStateMachineRunner({
      sfn: new SFNClient(clientConfig),
      clients: {
        invokeFunction: (arn, event) => runner.invoke(arn, event),
        dynamodb: new DynamoDBClient({ ...clientConfig, endpoint: faults.endpoint }),
        eventbridge: new EventBridgeClient({ ...clientConfig, endpoint: faults.endpoint }),
      },
      signal: controller.signal,
      log,
    });
    pollers.push(stepFunctions.done);

    // EventBridge rules and schedules, Firehose delivery: what the emulator does not run (docs/local.md).
    const serviceContext = { endpoint: moto.endpoint, region: REGION, runner, signal: controller.signal, log };
    const eventBridge = await startLocalEventBridge(serviceContext);
    const firehose = await startLocalFirehose(serviceContext);
    pollers.push(eventBridge.done, firehose.done);

    const apis = await loadRestApis(new APIGatewayClient({ endpoint: moto.endpoint, region: REGION, credentials: EMULATOR_CREDENTIALS }));
    const api = await startApiServer({
      apis,
      port: options.apiPort ?? 0,
      emulatorEndpoint: moto.endpoint,
      invokeFunction: (arn, event) => runner.invoke(arn, event),
      log,
      localRoutes: {
        '/_local/stats': () => stats,
        '/_local/executions': (): ExecutionsReport => ({ stateMachines: stepFunctions.stats, executions: stepFunctions.records }),
        '/_local/eventbridge': () => eventBridge.stats,
        '/_local/firehose': () => Object.fromEntries([...firehose.streams].map(([name, stream]) => [name, { ...stream.stats, pending: stream.pending }])),
        '/_local/redis': (): Record<string, LocalRedisAddress> => Object.fromEntries(Object.entries(redis).map(([name, r]) => [name, { host: r.host, port: r.port, caPath: r.caPath, running: r.running() }])),
      },
    });
    stopApi = api.stop;
    phase.end('local runtime (pollers, redis-server, state machines, EventBridge, Firehose, API gateway)');
    return { emulatorEndpoint: moto.endpoint, apiUrl: api.url, endpoints: api.endpoints, outputs, pipelines, pipelineSecrets: secrets, mappings, stats, stepFunctions, eventBridge, firehose, redis, faults, startup, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
