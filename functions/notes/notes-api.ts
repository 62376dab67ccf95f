import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describeIssues } from '../lib/validation';
import { noteInputSchema, type Note, type NoteInput } from './note';

export interface ApiRequest {
  method: string;
  /** Path below the stage, e.g. /notes/abc. */
  path: string;
  noteId?: string;
  body: string | null;
  query: Record<string, string | undefined>;
}

export interface ApiResponse {
  statusCode: number;
  body: unknown;
}

const NOTE_ID = /^[0-9a-f-]{36}$/;
const error = (statusCode: number, message: string, details?: unknown): ApiResponse => ({ statusCode, body: { message, ...(details !== undefined && { details }) } });

function parseInput(body: string | null): { ok: true; value: NoteInput } | { ok: false; response: ApiResponse } {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { ok: false, response: error(400, 'body must be a JSON object with "content"') };
  }
  const result = noteInputSchema.safeParse(json);
  if (!result.success) return { ok: false, response: error(400, 'invalid note', describeIssues(result.error, 'body')) };
  return { ok: true, value: result.data };
}

type StartKey = Record<string, AttributeValue>;

/** ?limit=1..100 (default 50) and ?next=<token from the previous page>. */
function parsePage(query: ApiRequest['query']): { ok: true; limit: number; start?: StartKey } | { ok: false; response: ApiResponse } {
  const limit = query.limit === undefined ? 50 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return { ok: false, response: error(400, 'limit must be a whole number from 1 to 100') };
  if (query.next === undefined) return { ok: true, limit };
  try {
    const start = JSON.parse(Buffer.from(query.next, 'base64url').toString()) as unknown;
    const noteId = (start as { noteId?: { S?: unknown } } | null)?.noteId?.S;
    if (typeof noteId === 'string' && NOTE_ID.test(noteId)) return { ok: true, limit, start: { noteId: { S: noteId } } };
  } catch {
    // fall through: not a token this API issued
  }
  return { ok: false, response: error(400, 'next must be the token from the previous page') };
}

const view = (note: Note) => ({
  noteId: note.noteId,
  title: note.title,
  content: note.content,
  version: note.version,
  wordCount: note.countedVersion === note.version ? note.wordCount : null,
  createdAt: note.createdAt,
  updatedAt: note.updatedAt,
});

/** The notes API core: create, get, list, update, delete. `wordCount` is null until the count of the current version lands. */
export async function handleNotes(dynamodb: DynamoDBClient, tableName: string, request: ApiRequest, now = () => new Date().toISOString()): Promise<ApiResponse> {
  if (request.noteId !== undefined && !NOTE_ID.test(request.noteId)) return error(400, 'noteId must be a UUID');
  const key = request.noteId ? marshall({ noteId: request.noteId }) : undefined;

  if (request.method === 'POST' && !key) {
    const input = parseInput(request.body);
    if (!input.ok) return input.response;
    const timestamp = now();
    const note: Note = { noteId: randomUUID(), ...input.value, version: 1, createdAt: timestamp, updatedAt: timestamp };
    await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: marshall(note, { removeUndefinedValues: true }), ConditionExpression: 'attribute_not_exists(noteId)' }));
    return { statusCode: 201, body: view(note) };
  }

  if (request.method === 'GET' && !key) {
    const page = parsePage(request.query);
    if (!page.ok) return page.response;
    const result = await dynamodb.send(new ScanCommand({ TableName: tableName, Limit: page.limit, ExclusiveStartKey: page.start }));
    return {
      statusCode: 200,
      body: {
        notes: (result.Items ?? []).map((item) => view(unmarshall(item) as Note)),
        next: result.LastEvaluatedKey ? Buffer.from(JSON.stringify(result.LastEvaluatedKey)).toString('base64url') : null,
      },
    };
  }

  if (request.method === 'GET' && key) {
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return Item ? { statusCode: 200, body: view(unmarshall(Item) as Note) } : error(404, 'note not found');
  }

  if (request.method === 'PUT' && key) {
    const input = parseInput(request.body);
    if (!input.ok) return input.response;
    const values = { ':content': input.value.content, ':now': now(), ':title': input.value.title ?? null };
    const update = (expression: string, condition: string, extra: Record<string, unknown> = {}) =>
      dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#title': 'title' },
          ExpressionAttributeValues: marshall({ ...values, ...extra }),
          ReturnValues: 'ALL_NEW',
        }),
      );
    try {
      // A new version only when the content changes (each write decides atomically), so a title
      // edit keeps the current count valid and triggers no recount.
      const { Attributes } = await update('SET content = :content, updatedAt = :now, #title = :title ADD version :one', 'attribute_exists(noteId) AND content <> :content', { ':one': 1 }).catch(
        async (e: unknown) => {
          if (!(e instanceof ConditionalCheckFailedException)) throw e;
          return update('SET updatedAt = :now, #title = :title', 'attribute_exists(noteId) AND content = :content');
        },
      );
      return { statusCode: 200, body: view(unmarshall(Attributes!) as Note) };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const { Item } = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true, ProjectionExpression: 'noteId' }));
      return Item ? error(409, 'the note changed while it was being updated: retry') : error(404, 'note not found');
    }
  }

  if (request.method === 'DELETE' && key) {
    const { Attributes } = await dynamodb.send(new DeleteItemCommand({ TableName: tableName, Key: key, ReturnValues: 'ALL_OLD' }));
    return Attributes ? { statusCode: 204, body: null } : error(404, 'note not found');
  }

  return error(405, `${request.method} ${request.path} is not supported`);
}
