// A fault-injecting proxy in front of the emulator, for the functions' AWS calls: a pass-through until
// a rule says that some calls fail (S3 PutObject on a bucket, StartExecution, ...), answered with the
// service's own error shape so the SDK inside the function raises what AWS would make it raise. Faults
// are injected from outside the functions: no test-only code in functions/.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultRule {
  /** The SigV4 signing name: s3, states, dynamodb, events, secretsmanager, sqs, ... */
  service: string;
  /** The API operation (PutObject, StartExecution, PutItem, ...). */
  operation: string;
  /** Only requests whose path starts with this (S3: `/<bucket>/<key prefix>`, path-style). */
  pathPrefix?: string;
  /** Only requests whose body contains this (e.g. a StartExecution `"name":"<messageId>"`). */
  bodyIncludes?: string;
  /** How many matching calls fail (then the rule is spent); unset: every one until removed. */
  times?: number;
  error: { status: number; code: string; message?: string };
}

export interface FaultProxy {
  endpoint: string;
  /** Adds a rule; returns a function that removes it. */
  inject(rule: FaultRule): () => void;
  clear(): void;
  /** Calls that failed by injection, per rule (in the order they were injected). */
  injected(): { rule: FaultRule; failed: number }[];
  stop(): Promise<void>;
}

/** The signing name from `Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request`. */
export function serviceOf(headers: IncomingMessage['headers']): string {
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(headers.authorization ?? ''))?.[1] ?? '';
}

/** The operation of a JSON (X-Amz-Target), query (Action=) or S3 REST request. */
export function operationOf(method: string, url: URL, headers: IncomingMessage['headers'], body: Buffer): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  if (serviceOf(headers) === 's3') {
    const q = url.searchParams;
    const objectPath = url.pathname.split('/').filter(Boolean).length > 1;
    if (method === 'PUT') return q.has('partNumber') ? 'UploadPart' : objectPath ? 'PutObject' : 'CreateBucket';
    if (method === 'POST') return q.has('uploads') ? 'CreateMultipartUpload' : q.has('uploadId') ? 'CompleteMultipartUpload' : q.has('delete') ? 'DeleteObjects' : 'PostObject';
    if (method === 'GET') return objectPath ? 'GetObject' : 'ListObjects';
    if (method === 'HEAD') return objectPath ? 'HeadObject' : 'HeadBucket';
    if (method === 'DELETE') return q.has('uploadId') ? 'AbortMultipartUpload' : objectPath ? 'DeleteObject' : 'DeleteBucket';
  }
  return new URLSearchParams(body.toString()).get('Action') ?? url.searchParams.get('Action') ?? '';
}

/** The error as the service's protocol carries it (JSON `__type`, S3 XML, query XML). */
function errorReply(response: ServerResponse, protocol: 'json' | 's3' | 'query', error: FaultRule['error']): void {
  const message = error.message ?? `injected fault: ${error.code}`;
  if (protocol === 'json') {
    response.writeHead(error.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': error.code });
    response.end(JSON.stringify({ __type: error.code, message }));
    return;
  }
  const xml = protocol === 's3' ? `<Error><Code>${error.code}</Code><Message>${message}</Message></Error>` : `<ErrorResponse><Error><Type>Sender</Type><Code>${error.code}</Code><Message>${message}</Message></Error></ErrorResponse>`;
  response.writeHead(error.status, { 'content-type': 'application/xml' });
  response.end(`<?xml version="1.0" encoding="UTF-8"?>${xml}`);
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const rules: { rule: FaultRule; failed: number }[] = [];

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(request.url ?? '/', 'http://proxy');
      const service = serviceOf(request.headers);
      const operation = operationOf(request.method ?? 'GET', url, request.headers, body);
      const match = rules.find(({ rule, failed }) => rule.service === service && rule.operation === operation && (!rule.pathPrefix || url.pathname.startsWith(rule.pathPrefix)) && (!rule.bodyIncludes || body.includes(rule.bodyIncludes)) && (rule.times === undefined || failed < rule.times));
      if (match) {
        match.failed += 1;
        errorReply(response, request.headers['x-amz-target'] ? 'json' : service === 's3' ? 's3' : 'query', match.rule.error);
        return;
      }
      // The body was read whole (the client's Expect: 100-continue was answered by this server).
      const { expect: _expect, 'transfer-encoding': _chunked, ...headers } = request.headers;
      const forward = httpRequest(
        { hostname: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...headers, 'content-length': String(body.length) } },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forward.on('error', (error) => {
        if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`fault proxy: ${error.message}`);
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    inject(rule) {
      const entry = { rule, failed: 0 };
      rules.push(entry);
      return () => {
        const i = rules.indexOf(entry);
        if (i >= 0) rules.splice(i, 1);
      };
    },
    clear: () => void rules.splice(0),
    injected: () => rules.map(({ rule, failed }) => ({ rule, failed })),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
