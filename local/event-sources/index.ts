import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import type { EventSourceAdapter } from './adapter';
import { dynamodbStreamAdapter } from './dynamodb-stream-adapter';
import { sqsAdapter } from './sqs-adapter';

export type { EventSourceAdapter, EventSourceContext } from './adapter';

/**
 * Event source adapters by the service named in the source ARN (`arn:aws:<service>:...`). A new kind
 * of source (Kinesis, an EventBridge schedule, Step Functions, Firehose) is one adapter file and one
 * entry here; the runtime (local/stack.ts) starts one adapter per mapping it finds.
 */
export const eventSourceAdapters: Readonly<Record<string, EventSourceAdapter>> = {
  sqs: sqsAdapter,
  dynamodb: dynamodbStreamAdapter,
};

export const serviceOf = (arn: string | undefined): string => arn?.split(':')[2] ?? '';

export function adapterFor(mapping: EventSourceMappingConfiguration): EventSourceAdapter | undefined {
  return eventSourceAdapters[serviceOf(mapping.EventSourceArn)];
}
