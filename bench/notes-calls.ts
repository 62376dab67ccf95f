// Calls per unit of work of the notes pipeline's cores, with counting stub clients.
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { countNote } from '../functions/notes/count-note';
import { forwardRecords } from '../functions/notes/forward';

export async function notesCalls(): Promise<{ records: number; forwarded: number; sqsCalls: number; notes: number; dynamodbCalls: number }> {
  const calls = { sqs: 0, dynamodb: 0 };
  const sqs = new SQSClient({ region: 'us-east-1' });
  Object.assign(sqs, {
    send: async (command: SendMessageBatchCommand) => {
      calls.sqs += 1;
      return { Successful: command.input.Entries!.map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: '' })), Failed: [] };
    },
  });
  const dynamodb = new DynamoDBClient({ region: 'us-east-1' });
  Object.assign(dynamodb, {
    send: async (command: GetItemCommand | UpdateItemCommand) => {
      calls.dynamodb += 1;
      if (command instanceof GetItemCommand) {
        const noteId = String(command.input.Key?.noteId?.S);
        return { Item: marshall({ noteId, version: 1, content: `some words for note ${noteId}` }) };
      }
      if (!(command instanceof UpdateItemCommand)) throw new Error('unexpected command');
      return {};
    },
  });
  const image = (v: Record<string, unknown>) => marshall(v) as Record<string, AttributeValue>;
  // A realistic stream batch: 1,000 records, of which 80% need a count (inserts and content edits)
  // and 20% are the counter's own write-backs or title edits, which are not forwarded.
  const records: DynamoDBRecord[] = Array.from({ length: 1000 }, (_, i) => {
    const old = { noteId: `n${i}`, content: `words of note ${i}`, version: 1 };
    if (i % 5 === 0) return { eventName: 'MODIFY', dynamodb: { SequenceNumber: String(i), OldImage: image(old), NewImage: image({ ...old, wordCount: 4, countedVersion: 1 }) } };
    return { eventName: i % 2 ? 'INSERT' : 'MODIFY', dynamodb: { SequenceNumber: String(i), OldImage: i % 2 ? undefined : image({ ...old, content: 'before' }), NewImage: image(old) } };
  });
  let forwarded = 0;
  for (let i = 0; i < records.length; i += 100) forwarded += (await forwardRecords(sqs, records.slice(i, i + 100), { queueUrl: 'q' })).forwarded;
  const notes = 500;
  for (let i = 0; i < notes; i++) await countNote(dynamodb, 'notes', { noteId: `n${i}`, version: 1 });
  return { records: records.length, forwarded, sqsCalls: calls.sqs, notes, dynamodbCalls: calls.dynamodb };
}
