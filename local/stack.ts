import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { LambdaClient, ListEventSourceMappingsCommand, type EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { EMULATOR_CREDENTIALS, startMoto, type RunningMoto } from './emulator/moto';
import { adapterFor } from './event-sources/index';
import { createFunctionRunner } from './functions/runner';
import { loadRestApis } from './gateway/load';
import { deployedPipelines, type PipelineSummary } from './pipelines';
import { startApiServer, type Endpoint } from './gateway/server';
import { terraformApply, terraformOutputs } from './terraform';

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
  stop(): Promise<void>;
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
 * Brings the stack up exactly as `make local` does: a fresh emulator, `terraform apply` of
 * infra/local (the same stack module as production), then the local runtime for what was applied:
 * every REST API served over HTTP and every event source mapping polled into its function.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const workDir = options.workDir ?? join(repoRoot, '.cache/local');
  const artifactsDir = join(repoRoot, 'dist');
  if (!existsSync(join(artifactsDir, 'manifest.json'))) throw new Error('dist/manifest.json missing: run make build first');

  const moto: RunningMoto = await startMoto({ port: options.emulatorPort || undefined });
  const controller = new AbortController();
  const pollers: Promise<void>[] = [];
  let stopApi: (() => Promise<void>) | undefined;
  const runner = createFunctionRunner({
    lambda: new LambdaClient({ endpoint: moto.endpoint, region: REGION, credentials: EMULATOR_CREDENTIALS }),
    emulatorEndpoint: moto.endpoint,
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
    await moto.stop();
  };

  try {
    // The state describes resources of the emulator we just started: a fresh emulator, a fresh state.
    const statePath = join(workDir, 'terraform.tfstate');
    rmSync(statePath, { force: true });
    rmSync(`${statePath}.backup`, { force: true });
    const terraform = {
      dir: join(repoRoot, 'infra/local'),
      statePath,
      variables: { emulator_endpoint: moto.endpoint, artifacts_dir: artifactsDir, name_prefix: options.namePrefix ?? 'local' },
      log: (line: string) => {
        if (/^(Apply complete|Error:|Warning:)/.test(line.trim())) log(`[terraform] ${line}`);
      },
    };
    log(`[local] emulator on ${moto.endpoint}; terraform apply of infra/local ...`);
    await terraformApply(terraform);
    const outputs = await terraformOutputs(terraform);

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

    const apis = await loadRestApis(new APIGatewayClient({ endpoint: moto.endpoint, region: REGION, credentials: EMULATOR_CREDENTIALS }));
    const api = await startApiServer({
      apis,
      port: options.apiPort ?? 0,
      emulatorEndpoint: moto.endpoint,
      invokeFunction: (arn, event) => runner.invoke(arn, event),
      log,
      localRoutes: { '/_local/stats': () => stats },
    });
    stopApi = api.stop;
    const { pipelines, secrets } = deployedPipelines(outputs);
    return { emulatorEndpoint: moto.endpoint, apiUrl: api.url, endpoints: api.endpoints, outputs, pipelines, pipelineSecrets: secrets, mappings, stats, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
