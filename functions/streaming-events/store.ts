import { ConditionalCheckFailedException, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { ValidationError } from '../lib/errors';
import contract from './contract.json';
import { parseEventText, sortKey, type StreamingEvent } from './event';

const { partitionKey, sortKey: sortKeyName, eventAttribute } = contract.table;

/** stored: first write; duplicate: the same event was stored before; conflict: another event already holds the key (the first one stays). */
export type StoreOutcome = 'stored' | 'duplicate' | 'conflict';

/** A row of the event store: the key, a few fields to query by, and the event exactly as serialized once. */
export function eventItem(event: StreamingEvent, body: string, storedAt: string) {
  return {
    [partitionKey]: event.entityId,
    [sortKeyName]: sortKey(event),
    eventId: event.eventId,
    eventType: event.eventType,
    occurredAt: event.occurredAt,
    // The serialized event, not a map: a payload can hold keys ("__proto__"), numbers and depths a
    // DynamoDB map would refuse or change, and the emitter must publish what was validated.
    [eventAttribute]: body,
    storedAt,
  };
}

/**
 * Stores one event from the FIFO queue. The put is conditional on the key being new, so a
 * redelivered message changes nothing. Throws ValidationError for a body that is not a valid event
 * (it can also reach the queue without the transformer): the message is retried, then parked in the DLQ.
 */
export async function storeEvent(dynamodb: DynamoDBClient, tableName: string, messageBody: string, now: () => Date = () => new Date()): Promise<{ outcome: StoreOutcome; event: StreamingEvent }> {
  const parsed = parseEventText(messageBody);
  if (!parsed.ok) throw new ValidationError([parsed.reason]);
  const { event, body } = parsed;
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: marshall(eventItem(event, body, now().toISOString())),
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { outcome: 'stored', event };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const existing = error.Item?.[eventAttribute]?.S;
    // Without the old item (an emulator may not return it) the key alone says "already stored".
    return { outcome: existing === undefined || existing === body ? 'duplicate' : 'conflict', event };
  }
}
