import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import type { FunctionRunner } from '../functions/runner';

export interface EventSourceContext {
  endpoint: string;
  region: string;
  runner: FunctionRunner;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Running totals the adapter keeps up to date (make demo reads them). */
  stats: { received: number; done: number; failed: number };
}

/** Makes one event source mapping live: polls its source into its function until the signal aborts. */
export type EventSourceAdapter = (mapping: EventSourceMappingConfiguration, context: EventSourceContext) => Promise<void>;

/** Invokes the mapping's function; a function error rejects, as it fails the batch in Lambda. */
export async function invokeOrThrow<T>(runner: FunctionRunner, functionArn: string, event: unknown): Promise<T> {
  const result = await runner.invoke(functionArn, event);
  if (!result.ok) throw new Error(`${result.errorType}: ${result.errorMessage}`);
  return result.payload as T;
}

export async function queueUrlOf(client: SQSClient, queueArn: string): Promise<string> {
  const [, , , , account, queueName] = queueArn.split(':');
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: account }));
  return QueueUrl!;
}

export const functionNameOf = (functionArn: string): string => functionArn.split(':')[6] ?? functionArn;
