import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { handleNotes } from './notes-api';

const env = loadConfig(z.object({ TABLE_NAME: z.string().check(z.minLength(1)) }));
const logger = createLogger('notes-api');
const dynamodb = new DynamoDBClient({});

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const requestId = event.requestContext?.requestId;
  try {
    const body = event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString() : event.body;
    const response = await handleNotes(dynamodb, env.TABLE_NAME, {
      method: event.httpMethod,
      path: event.path,
      noteId: event.pathParameters?.noteId,
      body,
      query: event.queryStringParameters ?? {},
    });
    logger.info('request', { requestId, method: event.httpMethod, path: event.path, status: response.statusCode });
    return { statusCode: response.statusCode, headers: { 'content-type': 'application/json' }, body: response.body === null ? '' : JSON.stringify({ ...(response.body as object), requestId }) };
  } catch (error) {
    logger.error('request failed', { requestId, error: error as Error });
    return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'internal error', requestId }) };
  }
};
