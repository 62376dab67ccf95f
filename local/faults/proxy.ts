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
  /**
   * PutEvents only: fail just the entries that contain `bodyIncludes`, the way EventBridge does (200,
   * `FailedEntryCount`, an `ErrorCode` in those entries); the other entries of the call reach the emulator.
   */
  entries?: boolean;
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
      if (match?.rule.entries && operation === 'PutEvents') {
        match.failed += 1;
        failEntries(request, response, body, match.rule);
        return;
      }
      if (match) {
        match.failed += 1;
        errorReply(response, request.headers['x-amz-target'] ? 'json' : service === 's3' ? 's3' : 'query', match.rule.error);
        return;
      }
      forward(request, body, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      }, response);
    });
  });

  /** Sends the request on to the emulator (with `body`, which may differ from what the client sent). */
  function forward(request: IncomingMessage, body: Buffer, onAnswer: (answer: IncomingMessage) => void, response: ServerResponse): void {
    // The body was read whole (the client's Expect: 100-continue was answered by this server).
    const { expect: _expect, 'transfer-encoding': _chunked, ...headers } = request.headers;
    const call = httpRequest({ hostname: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...headers, 'content-length': String(body.length) } }, onAnswer);
    call.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`fault proxy: ${error.message}`);
    });
    call.end(body);
  }

  /** A PutEvents answered per entry: the matching entries fail, the others go to the emulator; one answer in the request's order. */
  function failEntries(request: IncomingMessage, response: ServerResponse, body: Buffer, rule: FaultRule): void {
    const input = JSON.parse(body.toString()) as { Entries?: unknown[] };
    const entries = input.Entries ?? [];
    const fails = entries.map((entry) => JSON.stringify(entry).includes(rule.bodyIncludes ?? ''));
    const failed = { ErrorCode: rule.error.code, ErrorMessage: rule.error.message ?? `injected fault: ${rule.error.code}` };
    const reply = (status: number, upstreamEntries: unknown[], upstreamFailed: number) => {
      const merged = fails.map((fail) => (fail ? failed : upstreamEntries.shift()));
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ FailedEntryCount: upstreamFailed + fails.filter(Boolean).length, Entries: merged }));
    };
    const passing = entries.filter((_, i) => !fails[i]);
    if (passing.length === 0) return reply(200, [], 0);
    forward(request, Buffer.from(JSON.stringify({ ...input, Entries: passing })), (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if ((answer.statusCode ?? 500) !== 200) {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          response.end(text);
          return;
        }
        const result = JSON.parse(text) as { Entries?: unknown[]; FailedEntryCount?: number };
        reply(200, [...(result.Entries ?? [])], result.FailedEntryCount ?? 0);
      });
    }, response);
  }

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
