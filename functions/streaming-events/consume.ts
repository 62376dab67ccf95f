import { ConditionalCheckFailedException, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import { ValidationError } from '../lib/errors';
import contract from './contract.json';
import { parseEventText, type StreamingEvent } from './event';

export type ConsumeOutcome = { outcome: 'consumed' | 'duplicate'; event: StreamingEvent } | { outcome: 'ignored'; reason: string };

/**
 * The example consumer: reacts to one detail-type, once per eventId whatever the bus delivers
 * (retries, a replay from the archive, an event emitted twice after a stream retry). Marking the event
 * is the reaction here; a real one would do its work first and mark the event last, or make the work
 * itself conditional on the mark.
 */
export async function consumeEvent(dynamodb: DynamoDBClient, tableName: string, busEvent: EventBridgeEvent<string, unknown>, now: () => Date = () => new Date()): Promise<ConsumeOutcome> {
  if (busEvent['detail-type'] !== contract.consumer.detailType) return { outcome: 'ignored', reason: `detail-type ${busEvent['detail-type']} is not ${contract.consumer.detailType}` };
  const parsed = parseEventText(JSON.stringify(busEvent.detail));
  if (!parsed.ok) throw new ValidationError([parsed.reason]);
  const { event } = parsed;
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: marshall({ [contract.consumer.table.partitionKey]: event.eventId, entityId: event.entityId, occurredAt: event.occurredAt, busEventId: busEvent.id, consumedAt: now().toISOString() }),
        ConditionExpression: 'attribute_not_exists(#id)',
        ExpressionAttributeNames: { '#id': contract.consumer.table.partitionKey },
      }),
    );
    return { outcome: 'consumed', event };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { outcome: 'duplicate', event };
    throw error;
  }
}
