import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GetFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { unzipSync } from 'fflate';
import { EMULATOR_CREDENTIALS } from '../emulator/moto';

const workerScript = join(dirname(fileURLToPath(import.meta.url)), 'worker.cjs');

export type InvokeResult =
  | { ok: true; payload: unknown }
  | { ok: false; errorType: string; errorMessage: string };

export interface FunctionRunnerOptions {
  lambda: LambdaClient;
  emulatorEndpoint: string;
  region: string;
  /** Folder with manifest.json from build.mjs. */
  artifactsDir: string;
  /** Repository root: manifest zip paths are relative to it. */
  repoRoot: string;
  /** Where zips are unpacked. */
  workDir: string;
  log: (line: string) => void;
}

/**
 * Environment variables changed for every function whose deployed environment holds all of `when`
 * (e.g. an endpoint the emulator cannot serve, pointed at a local server instead). Read when a
 * function's worker starts, so an override added after start-up applies to later cold starts.
 */
export interface EnvironmentOverride {
  when: Readonly<Record<string, string>>;
  set: Readonly<Record<string, string>>;
}

interface Artifact {
  name: string;
  zip: string;
  base64sha256: string;
}

interface DeployedFunction {
  name: string;
  arn: string;
  handler: string;
  timeoutSeconds: number;
  memorySize: number;
  environment: Record<string, string>;
  codeDir: string;
}

type WorkerReply = { id: string } & InvokeResult;

/** One warm worker process per function; invocations of a function run one at a time, in order. */
class Container {
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly fn: DeployedFunction,
    private readonly options: FunctionRunnerOptions,
    private readonly overrides: readonly EnvironmentOverride[],
  ) {}

  /** The deployed environment with the overrides that apply to it. */
  private environment(): Record<string, string> {
    const deployed = this.fn.environment;
    const applying = this.overrides.filter((o) => Object.entries(o.when).every(([k, v]) => deployed[k] === v));
    return Object.assign({}, deployed, ...applying.map((o) => o.set)) as Record<string, string>;
  }

  invoke(event: unknown): Promise<InvokeResult> {
    const run = this.queue.then(() => this.runOne(event));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private start(): Promise<void> {
    const { fn, options } = this;
    const child = fork(workerScript, [], {
      cwd: fn.codeDir,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // What Lambda gives a function, plus the emulator endpoint: not this process's environment.
      env: {
        PATH: process.env.PATH,
        TZ: 'UTC',
        ...this.environment(),
        AWS_ENDPOINT_URL: options.emulatorEndpoint,
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        AWS_REGION: options.region,
        AWS_DEFAULT_REGION: options.region,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
        LAMBDA_TASK_ROOT: fn.codeDir,
        LOCAL_FUNCTION_ARN: fn.arn,
        // Lambda runs nodejs22.x; locally the function runs on this machine's Node 20.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        _HANDLER: fn.handler,
      },
    });
    child.on('error', (error) => options.log(`[${fn.name}] worker: ${error.message}`));
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => options.log(`[${fn.name}] ${line}`));
    }
    this.child = child;
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: { ready?: boolean }) => {
        if (message.ready) {
          child.off('exit', onExit);
          child.off('message', onMessage);
          resolve();
        }
      };
      const onExit = (code: number | null) => reject(new Error(`${fn.name} failed to initialise (exit ${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    return this.ready;
  }

  private async runOne(event: unknown): Promise<InvokeResult> {
    const { fn } = this;
    try {
      if (!this.child) await this.start();
      else await this.ready;
    } catch (error) {
      this.child = undefined;
      return { ok: false, errorType: 'Runtime.InitError', errorMessage: (error as Error).message };
    }
    const child = this.child!;
    const id = randomUUID();
    const timeoutMs = fn.timeoutSeconds * 1000;
    return new Promise<InvokeResult>((resolve) => {
      const finish = (result: InvokeResult) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(result);
      };
      const onMessage = (reply: WorkerReply) => {
        if (reply.id === id) finish(reply.ok ? { ok: true, payload: reply.payload } : { ok: false, errorType: reply.errorType, errorMessage: reply.errorMessage });
      };
      const onExit = (code: number | null) => finish({ ok: false, errorType: 'Runtime.ExitError', errorMessage: `${fn.name} exited (code ${code}) during the invocation` });
      const timer = setTimeout(() => {
        // Forget the killed worker now, not when its exit arrives: the next invocation starts a new one
        // instead of writing to a pipe that is closing (EPIPE).
        if (this.child === child) this.child = undefined;
        child.kill('SIGKILL');
        finish({ ok: false, errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${fn.timeoutSeconds} seconds` });
      }, timeoutMs);
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ id, event, requestId: id, deadline: Date.now() + timeoutMs }, (error) => {
        if (!error) return;
        if (this.child === child) this.child = undefined;
        child.kill('SIGKILL');
        finish({ ok: false, errorType: 'Runtime.ExitError', errorMessage: `${fn.name} could not be handed the event: ${error.message}` });
      });
    });
  }

  stop(): void {
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }
}

export interface FunctionRunner {
  invoke(functionNameOrArn: string, event: unknown): Promise<InvokeResult>;
  /** Applies to workers started from now on (restart() makes the warm ones pick it up). */
  addEnvironmentOverride(override: EnvironmentOverride): void;
  /** Ends every warm worker: the next invocation of each function is a cold start. */
  restart(): void;
  stop(): void;
}

/** Runs deployed functions from their built zips, found by the CodeSha256 the emulator reports. */
export function createFunctionRunner(options: FunctionRunnerOptions): FunctionRunner {
  const containers = new Map<string, Promise<Container>>();
  const overrides: EnvironmentOverride[] = [];

  function artifactFor(codeSha256: string, functionName: string): Artifact {
    const manifestPath = join(options.artifactsDir, 'manifest.json');
    if (!existsSync(manifestPath)) throw new Error(`${manifestPath} missing: run make build`);
    const { artifacts } = JSON.parse(readFileSync(manifestPath, 'utf8')) as { artifacts: Artifact[] };
    const artifact = artifacts.find((a) => a.base64sha256 === codeSha256);
    if (!artifact) throw new Error(`deployed code of ${functionName} matches no built artifact: run make build and apply again`);
    return artifact;
  }

  async function load(nameOrArn: string): Promise<Container> {
    const { Configuration: config } = await options.lambda.send(new GetFunctionCommand({ FunctionName: nameOrArn }));
    if (!config?.FunctionName || !config.FunctionArn || !config.CodeSha256) throw new Error(`function ${nameOrArn} not found in the emulator`);
    const artifact = artifactFor(config.CodeSha256, config.FunctionName);
    const codeDir = join(options.workDir, `${config.FunctionName}-${Buffer.from(config.CodeSha256, 'base64').toString('hex').slice(0, 12)}`);
    if (!existsSync(join(codeDir, '.unpacked'))) {
      const files = unzipSync(readFileSync(join(options.repoRoot, artifact.zip)));
      for (const [path, bytes] of Object.entries(files)) {
        mkdirSync(dirname(join(codeDir, path)), { recursive: true });
        writeFileSync(join(codeDir, path), bytes);
      }
      writeFileSync(join(codeDir, '.unpacked'), artifact.zip);
    }
    return new Container(
      {
        name: config.FunctionName,
        arn: config.FunctionArn,
        handler: config.Handler ?? 'index.handler',
        timeoutSeconds: config.Timeout ?? 3,
        memorySize: config.MemorySize ?? 128,
        environment: config.Environment?.Variables ?? {},
        codeDir,
      },
      options,
      overrides,
    );
  }

  return {
    async invoke(nameOrArn, event) {
      const key = nameOrArn.split(':').slice(0, 7).join(':'); // drop a version qualifier
      let container = containers.get(key);
      if (!container) {
        container = load(nameOrArn);
        containers.set(key, container);
        container.catch(() => containers.delete(key));
      }
      return (await container).invoke(event);
    },
    addEnvironmentOverride(override) {
      overrides.push(override);
    },
    restart() {
      for (const container of containers.values()) void container.then((c) => c.stop(), () => undefined);
    },
    stop() {
      this.restart();
      containers.clear();
    },
  };
}
