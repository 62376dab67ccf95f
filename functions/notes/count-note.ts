import { ConditionalCheckFailedException, GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { CountRequest, Note } from './note';
import { countWords } from './word-count';

export type CountOutcome = 'counted' | 'stale-or-duplicate';

export interface CountResult {
  outcome: CountOutcome;
  /** Set when the note held the requested version and its text was counted. */
  words?: number;
  /** Why nothing was written. */
  reason?: string;
}

/**
 * Counts the words of one note version and writes the count. The text is read from the table
 * (a consistent read: content and version change together, so it is exactly the text of that
 * version). The write only lands while the note still holds that version and it was not counted
 * yet: a late, out-of-order or duplicate delivery changes nothing (and is not an error), a deleted
 * note is not recreated.
 */
export async function countNote(dynamodb: DynamoDBClient, tableName: string, request: CountRequest): Promise<CountResult> {
  const key = marshall({ noteId: request.noteId });
  const { Item } = await dynamodb.send(
    new GetItemCommand({
      TableName: tableName,
      Key: key,
      ConsistentRead: true,
      ProjectionExpression: '#content, #version, countedVersion',
      ExpressionAttributeNames: { '#content': 'content', '#version': 'version' },
    }),
  );
  if (!Item) return { outcome: 'stale-or-duplicate', reason: 'the note was deleted' };
  const note = unmarshall(Item) as Partial<Note>;
  if (note.version !== request.version) return { outcome: 'stale-or-duplicate', reason: `the note is at version ${String(note.version)}` };
  if (note.countedVersion === request.version) return { outcome: 'stale-or-duplicate', reason: 'this version is already counted' };
  if (typeof note.content !== 'string') throw new Error(`note ${request.noteId} version ${request.version} has no text content to count`);

  const words = countWords(note.content);
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET wordCount = :words, countedVersion = :version',
        ConditionExpression: 'version = :version AND (attribute_not_exists(countedVersion) OR countedVersion <> :version)',
        ExpressionAttributeValues: marshall({ ':words': words, ':version': request.version }),
      }),
    );
    return { outcome: 'counted', words };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { outcome: 'stale-or-duplicate', reason: 'the note changed while it was counted' };
    throw error;
  }
}
