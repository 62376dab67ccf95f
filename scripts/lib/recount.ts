import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { CountRequest } from '../../functions/notes/note';
import { sendCountRequests, type SendOptions } from '../../functions/notes/send-count-requests';

export interface RecountOptions extends SendOptions {
  tableName: string;
  /** Leave notes changed more recently than this alone: their count is normally still on its way. */
  minAgeSeconds: number;
  dryRun?: boolean;
  now?: () => Date;
  /** Called after every page of the scan with the totals so far. */
  onProgress?: (progress: RecountResult) => void;
}

export interface RecountResult {
  scanned: number;
  uncounted: number;
  sent: number;
  failed: number;
  calls: number;
}

/**
 * The notes pipeline's redrive. The table is the source of truth: a note whose current version has
 * no count (a stream record given up on, a count request parked in the DLQ and purged, anything)
 * gets a fresh count request. Safe to run any time: the counter only writes a count that is missing
 * for the note's current version.
 */
export async function recountUncounted(dynamodb: DynamoDBClient, sqs: SQSClient, options: RecountOptions): Promise<RecountResult> {
  const cutoff = new Date((options.now ?? (() => new Date()))().getTime() - options.minAgeSeconds * 1000).toISOString();
  const result: RecountResult = { scanned: 0, uncounted: 0, sent: 0, failed: 0, calls: 0 };
  let startKey: ScanCommand['input']['ExclusiveStartKey'];
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: options.tableName,
        FilterExpression: '(attribute_not_exists(countedVersion) OR countedVersion <> #version) AND updatedAt < :cutoff',
        // The id and version are the whole request: the counter reads the text itself.
        ProjectionExpression: 'noteId, #version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':cutoff': { S: cutoff } },
        ExclusiveStartKey: startKey,
      }),
    );
    result.scanned += page.ScannedCount ?? 0;
    const requests = new Map((page.Items ?? []).map((item) => unmarshall(item) as CountRequest).map((request) => [request.noteId, request]));
    result.uncounted += requests.size;
    if (!options.dryRun && requests.size > 0) {
      const { calls, unsent } = await sendCountRequests(sqs, requests, options);
      result.calls += calls;
      result.sent += requests.size - unsent.length;
      result.failed += unsent.length;
    }
    startKey = page.LastEvaluatedKey;
    options.onProgress?.({ ...result });
  } while (startKey);
  return result;
}
