import { ConditionalCheckFailedException, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { CountRequest } from './note';
import { countWords } from './word-count';

export type CountOutcome = 'counted' | 'stale-or-duplicate';

/**
 * Writes the word count of one note version. The write only lands while the note still holds that
 * version and it was not counted yet: a late, out-of-order or duplicate delivery changes nothing (and
 * is not an error), a deleted note is not recreated.
 */
export async function countNote(dynamodb: DynamoDBClient, tableName: string, request: CountRequest): Promise<{ outcome: CountOutcome; words: number }> {
  const words = countWords(request.content);
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: marshall({ noteId: request.noteId }),
        UpdateExpression: 'SET wordCount = :words, countedVersion = :version',
        ConditionExpression: 'version = :version AND (attribute_not_exists(countedVersion) OR countedVersion <> :version)',
        ExpressionAttributeValues: marshall({ ':words': words, ':version': request.version }),
      }),
    );
    return { outcome: 'counted', words };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { outcome: 'stale-or-duplicate', words };
    throw error;
  }
}
