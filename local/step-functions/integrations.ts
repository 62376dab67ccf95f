// The service integrations a Task state's `Resource` names, run locally: what each returns and how
// each fails, named as Step Functions names them so that Retry and Catch match as they do in AWS.
import { randomUUID } from 'node:crypto';
import { PutItemCommand, type DynamoDBClient, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { JSONValue } from './json';
import type { InvokeResult } from '../functions/runner';

/** Step Functions' limit on a state's input or output (UTF-8 bytes). */
export const STATE_PAYLOAD_LIMIT_BYTES = 262_144;

/** An error a Task state fails with: `name` is what Retry/Catch `ErrorEquals` match, `message` the Cause. */
export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/**
 * A terminal error: neither Retry nor a `States.ALL` Catch sees it (States.DataLimitExceeded, States.Runtime).
 * The interpreter reads `isRetryable`/`isCatchable` off the error it caught.
 */
export class TerminalTaskError extends TaskError {
  readonly isRetryable = false;
  readonly isCatchable = false;
}

export interface IntegrationClients {
  invokeFunction(functionNameOrArn: string, event: unknown): Promise<InvokeResult>;
  dynamodb: DynamoDBClient;
  eventbridge: EventBridgeClient;
}

export type TaskHandler = (input: JSONValue) => Promise<JSONValue>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The response metadata every optimised integration adds to the service's answer. */
const sdkMetadata = (statusCode = 200) => ({
  SdkHttpMetadata: { HttpStatusCode: statusCode, HttpHeaders: { 'x-amzn-RequestId': randomUUID() } },
  SdkResponseMetadata: { RequestId: randomUUID() },
});

/** What Lambda's errors become in `arn:aws:states:::lambda:invoke`. */
export function lambdaTaskError(result: Extract<InvokeResult, { ok: false }>): TaskError {
  // A function that crashed or timed out returns no error type of its own: Step Functions reports
  // Lambda.Unknown (docs: "Handle Lambda service exceptions"). A handled error keeps its type.
  if (result.errorType === 'Sandbox.Timedout' || result.errorType === 'Runtime.ExitError') {
    return new TaskError('Lambda.Unknown', `The cause could not be determined because Lambda did not return an error type. ${result.errorType}: ${result.errorMessage}`);
  }
  return new TaskError(result.errorType, JSON.stringify({ errorType: result.errorType, errorMessage: result.errorMessage, trace: [] }));
}

/** An SDK failure as `<Service>.<Exception>`; a failure with no service answer as `<Service>.SdkClientException`. */
export function serviceTaskError(prefix: string, error: unknown): TaskError {
  const sdk = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
  const answered = sdk.$metadata?.httpStatusCode !== undefined;
  const name = answered && sdk.name ? sdk.name : 'SdkClientException';
  const status = sdk.$metadata?.httpStatusCode;
  return new TaskError(`${prefix}.${name}`, `${sdk.message ?? String(error)} (Service: ${prefix}, Status Code: ${status ?? 'none'}, Error Code: ${name}, Request ID: ${sdk.$metadata?.requestId ?? 'none'})`);
}

function lambdaInvoke(clients: IntegrationClients): TaskHandler {
  return async (input) => {
    if (!isObject(input) || typeof input.FunctionName !== 'string') throw new TerminalTaskError('States.Runtime', 'lambda:invoke needs Parameters.FunctionName (a string)');
    let result: InvokeResult;
    try {
      result = await clients.invokeFunction(input.FunctionName, input.Payload ?? null);
    } catch (error) {
      // The function could not be invoked at all (unknown function, no built code): a Lambda service error.
      throw new TaskError(/not found/i.test((error as Error).message) ? 'Lambda.ResourceNotFoundException' : 'Lambda.ServiceException', (error as Error).message);
    }
    if (!result.ok) throw lambdaTaskError(result);
    return { ExecutedVersion: '$LATEST', Payload: result.payload as JSONValue, StatusCode: 200, ...sdkMetadata() };
  };
}

function dynamodbPutItem(clients: IntegrationClients): TaskHandler {
  return async (input) => {
    let output;
    try {
      // The integration's Parameters are the API's own request shape, as the SDK takes it.
      output = await clients.dynamodb.send(new PutItemCommand(input as unknown as PutItemCommandInput));
    } catch (error) {
      throw serviceTaskError('DynamoDB', error);
    }
    const { $metadata: _metadata, ...answer } = output;
    return { ...(JSON.parse(JSON.stringify(answer)) as Record<string, JSONValue>), ...sdkMetadata() };
  };
}

function eventsPutEvents(clients: IntegrationClients): TaskHandler {
  return async (input) => {
    const entries = isObject(input) && Array.isArray(input.Entries) ? input.Entries : undefined;
    if (!entries) throw new TerminalTaskError('States.Runtime', 'events:putEvents needs Parameters.Entries (an array)');
    // Step Functions accepts Detail as a JSON object and sends it as the string PutEvents takes.
    const Entries = entries.map((entry) => {
      const e = (isObject(entry) ? entry : {}) as Record<string, unknown>;
      return { ...e, Detail: typeof e.Detail === 'string' || e.Detail === undefined ? e.Detail : JSON.stringify(e.Detail) } as PutEventsRequestEntry;
    });
    let output;
    try {
      output = await clients.eventbridge.send(new PutEventsCommand({ Entries }));
    } catch (error) {
      throw serviceTaskError('EventBridge', error);
    }
    const answer = { Entries: (output.Entries ?? []).map((e) => JSON.parse(JSON.stringify(e)) as JSONValue), FailedEntryCount: output.FailedEntryCount ?? 0 };
    if (answer.FailedEntryCount > 0) throw new TaskError('EventBridge.FailedEntry', JSON.stringify(answer));
    return answer;
  };
}

/** The optimised integrations run locally, by Task `Resource`. */
const integrations: Readonly<Record<string, (clients: IntegrationClients) => TaskHandler>> = {
  'arn:aws:states:::lambda:invoke': lambdaInvoke,
  'arn:aws:states:::dynamodb:putItem': dynamodbPutItem,
  'arn:aws:states:::events:putEvents': eventsPutEvents,
};

export const supportedResources = (): string[] => Object.keys(integrations);

/** The local handler of a Task resource; undefined when this runtime cannot run it. */
export function integrationFor(resource: string, clients: IntegrationClients): TaskHandler | undefined {
  const make = integrations[resource];
  if (!make) return undefined;
  const handler = make(clients);
  return async (input) => {
    const output = await handler(input);
    const bytes = Buffer.byteLength(JSON.stringify(output));
    if (bytes > STATE_PAYLOAD_LIMIT_BYTES) {
      throw new TerminalTaskError('States.DataLimitExceeded', `The state/task '${resource}' returned a result with a size (${bytes} bytes) exceeding the maximum number of bytes service limit (${STATE_PAYLOAD_LIMIT_BYTES}).`);
    }
    return output;
  };
}
