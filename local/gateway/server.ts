import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Ajv, { type ValidateFunction } from 'ajv-draft-04';
import type { Integration, Stage } from '@aws-sdk/client-api-gateway';
import { EMULATOR_CREDENTIALS } from '../emulator/moto';
import { callAwsService } from './aws-service';
import type { ApiKey, RestApiDefinition, Route } from './load';
import { verifySigV4 } from './sigv4';
import { renderTemplate, type RequestContext, type TemplateInput } from './vtl';

/** API Gateway's request payload limit (REST APIs: 10 MB, not adjustable). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Lambda's synchronous invocation limit on the request: the whole proxy event, not only the body. */
export const LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES = 6_291_456;

/** Gateway responses an API cannot customise (API Gateway documents 413 REQUEST_TOO_LARGE as one). */
const FIXED_GATEWAY_RESPONSES = new Set(['REQUEST_TOO_LARGE']);

/** API Gateway's own answers when an API does not override them. */
const DEFAULT_GATEWAY_RESPONSES: Record<string, { statusCode: string; message: string }> = {
  MISSING_AUTHENTICATION_TOKEN: { statusCode: '403', message: 'Missing Authentication Token' },
  INVALID_SIGNATURE: { statusCode: '403', message: 'The request signature we calculated does not match the signature you provided' },
  EXPIRED_TOKEN: { statusCode: '403', message: 'The security token included in the request is expired' },
  ACCESS_DENIED: { statusCode: '403', message: 'The security token included in the request is invalid' },
  INVALID_API_KEY: { statusCode: '403', message: 'Forbidden' },
  BAD_REQUEST_BODY: { statusCode: '400', message: 'Invalid request body' },
  UNSUPPORTED_MEDIA_TYPE: { statusCode: '415', message: 'Unsupported Media Type' },
  REQUEST_TOO_LARGE: { statusCode: '413', message: 'Request Too Long' },
  THROTTLED: { statusCode: '429', message: 'Too Many Requests' },
  INTEGRATION_FAILURE: { statusCode: '504', message: 'Internal server error' },
  DEFAULT_5XX: { statusCode: '502', message: 'Internal server error' },
};

export type InvokeFunction = (functionArn: string, event: unknown) => Promise<{ ok: true; payload: unknown } | { ok: false; errorType: string; errorMessage: string }>;

export interface ApiServerOptions {
  apis: RestApiDefinition[];
  port: number;
  emulatorEndpoint: string;
  invokeFunction: InvokeFunction;
  log: (line: string) => void;
  /** Extra JSON routes of the local runtime itself (e.g. /_local/stats), outside any API. */
  localRoutes?: Record<string, () => unknown>;
}

export interface Endpoint {
  apiName: string;
  stage: string;
  method: string;
  url: string;
  apiKey?: string;
  /** The route wants SigV4-signed requests (AWS_IAM). */
  signed: boolean;
}

export interface RunningApiServer {
  url: string;
  endpoints: Endpoint[];
  stop(): Promise<void>;
}

interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

class GatewayError extends Error {
  constructor(
    readonly responseType: string,
    readonly validationErrors = '',
    /** $context.error.message; API Gateway's default for the response type when empty. */
    readonly errorMessage = '',
  ) {
    super(responseType);
  }
}

/** The emulator's credentials: the only caller the local gateway knows (see docs/local.md). */
const secretFor = (accessKeyId: string) => (accessKeyId === EMULATOR_CREDENTIALS.accessKeyId ? EMULATOR_CREDENTIALS.secretAccessKey : undefined);

/** Token bucket per API key, from the usage plan's rate and burst. */
class Throttle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  allow(key: ApiKey): boolean {
    const rate = key.throttle?.rateLimit;
    const burst = key.throttle?.burstLimit;
    if (!rate || !burst) return true;
    const now = Date.now();
    const bucket = this.buckets.get(key.id) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(key.id, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

export function matchRoute(routes: Route[], method: string, path: string): { route: Route; pathParams: Record<string, string> } | undefined {
  const requested = path.split('/').filter(Boolean);
  const candidates: { route: Route; pathParams: Record<string, string>; score: number }[] = [];
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const pattern = route.path.split('/').filter(Boolean);
    const pathParams: Record<string, string> = {};
    let score = 0;
    let matched = true;
    for (let i = 0; i < pattern.length && matched; i++) {
      const segment = pattern[i]!;
      const greedy = /^\{(.+)\+\}$/.exec(segment);
      if (greedy) {
        if (i >= requested.length) matched = false;
        else pathParams[greedy[1]!] = requested.slice(i).map(decodeURIComponent).join('/');
        break;
      }
      const value = requested[i];
      const param = /^\{(.+)\}$/.exec(segment);
      if (value === undefined) matched = false;
      else if (param) pathParams[param[1]!] = decodeURIComponent(value);
      else if (segment === value) score += 2;
      else matched = false;
    }
    const greedyRoute = pattern.some((s) => s.endsWith('+}'));
    if (matched && (greedyRoute || pattern.length === requested.length)) candidates.push({ route, pathParams, score: score + (route.method === method ? 1 : 0) });
  }
  return candidates.sort((a, b) => b.score - a.score)[0];
}

/** Over API Gateway's 10 MB: refused before anything else, with API Gateway's fixed answer. */
class BodyTooLargeError extends Error {}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) reject(new BodyTooLargeError());
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new BodyTooLargeError());
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function headersOf(request: IncomingMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : (v ?? '')]));
}

function apiGatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** Sources of integration.request.* values: 'literal', method.request.{header,path,querystring}.X, context.X. */
function parameterValue(source: string, input: TemplateInput, context: RequestContext): string {
  const literal = /^'(.*)'$/.exec(source);
  if (literal) return literal[1]!;
  const method = /^method\.request\.(header|path|querystring)\.(.+)$/.exec(source);
  if (method) {
    const [, where, name] = method as unknown as [string, string, string];
    if (where === 'header') return input.headers[name.toLowerCase()] ?? '';
    return (where === 'path' ? input.pathParams : input.query)[name] ?? '';
  }
  if (source.startsWith('context.')) {
    let value: unknown = context;
    for (const part of source.slice('context.'.length).split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
    return value === undefined ? '' : String(value);
  }
  throw new Error(`unsupported request parameter source ${source}`);
}

export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  // API Gateway's validator accepts any valid draft-04 schema: no ajv strict-mode type warnings.
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  const validators = new Map<string, ValidateFunction>();
  const throttle = new Throttle();

  function validatorFor(api: RestApiDefinition, modelName: string): ValidateFunction | undefined {
    const key = `${api.id}/${modelName}`;
    if (!validators.has(key)) {
      const schema = api.models.get(modelName);
      if (!schema) return undefined;
      const { $schema: _ignored, ...rest } = schema as Record<string, unknown>;
      validators.set(key, ajv.compile(rest));
    }
    return validators.get(key);
  }

  function gatewayReply(api: RestApiDefinition, type: string, context: RequestContext): Reply {
    const custom = FIXED_GATEWAY_RESPONSES.has(type) ? undefined : api.gatewayResponses.get(type);
    const fallback = DEFAULT_GATEWAY_RESPONSES[type] ?? DEFAULT_GATEWAY_RESPONSES.DEFAULT_5XX!;
    const status = Number(custom?.statusCode || fallback.statusCode);
    const body = custom?.template
      ? renderTemplate(custom.template, { body: '', headers: {}, query: {}, pathParams: {} }, { ...context, error: { ...context.error, message: context.error.message || fallback.message } })
      : JSON.stringify({ message: fallback.message });
    return { status, body };
  }

  async function integrate(api: RestApiDefinition, route: Route, integration: Integration, input: TemplateInput, context: RequestContext, contentType: string, rawBody: Buffer): Promise<Reply> {
    if (integration.type === 'AWS_PROXY') {
      const functionArn = /functions\/(.+)\/invocations$/.exec(integration.uri ?? '')?.[1];
      if (!functionArn) throw new Error(`unsupported Lambda proxy URI ${integration.uri}`);
      const isText = /json|text|xml|form/.test(contentType);
      const event = {
        resource: route.path,
        path: context.path,
        httpMethod: context.httpMethod,
        headers: input.headers,
        multiValueHeaders: Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k, [v]])),
        queryStringParameters: Object.keys(input.query).length ? input.query : null,
        multiValueQueryStringParameters: Object.keys(input.query).length ? Object.fromEntries(Object.entries(input.query).map(([k, v]) => [k, [v]])) : null,
        pathParameters: Object.keys(input.pathParams).length ? input.pathParams : null,
        stageVariables: null,
        requestContext: {
          requestId: context.requestId,
          stage: context.stage,
          apiId: context.apiId,
          resourcePath: route.path,
          httpMethod: context.httpMethod,
          path: `/${context.stage}${context.path}`,
          requestTimeEpoch: context.requestTimeEpoch,
          identity: { sourceIp: context.identity.sourceIp, apiKey: context.identity.apiKey, apiKeyId: context.identity.apiKeyId, userAgent: context.identity.userAgent, accessKey: context.identity.accessKey ?? null },
        },
        body: rawBody.length ? (isText ? rawBody.toString() : rawBody.toString('base64')) : null,
        isBase64Encoded: rawBody.length > 0 && !isText,
      };
      // Lambda refuses the invocation (RequestEntityTooLargeException) and the function never runs;
      // API Gateway answers 413 REQUEST_TOO_LARGE (docs/local.md).
      const eventBytes = Buffer.byteLength(JSON.stringify(event));
      if (eventBytes > LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES) {
        options.log(`[api] Lambda proxy ${functionArn} not invoked: the event is ${eventBytes} bytes, over Lambda's ${LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES}`);
        throw new GatewayError('REQUEST_TOO_LARGE');
      }
      const result = await options.invokeFunction(functionArn, event);
      if (!result.ok) {
        options.log(`[api] Lambda proxy ${functionArn} failed: ${result.errorType}: ${result.errorMessage}`);
        return { status: 502, body: JSON.stringify({ message: 'Internal server error' }) };
      }
      const payload = result.payload as { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean } | null;
      if (!payload || typeof payload.statusCode !== 'number') return { status: 502, body: JSON.stringify({ message: 'Internal server error' }) };
      const body = payload.isBase64Encoded ? Buffer.from(payload.body ?? '', 'base64').toString() : (payload.body ?? '');
      return { status: payload.statusCode, body, headers: payload.headers };
    }

    if (integration.type !== 'AWS') throw new Error(`integration type ${integration.type} is not served locally yet`);
    const template = integration.requestTemplates?.[contentType];
    if (template === undefined && integration.passthroughBehavior !== 'WHEN_NO_MATCH') throw new GatewayError('UNSUPPORTED_MEDIA_TYPE');
    const body = template === undefined ? input.body : renderTemplate(template, input, context);
    const headers: Record<string, string> = {};
    const pathParams: Record<string, string> = {};
    for (const [target, source] of Object.entries(integration.requestParameters ?? {})) {
      const value = parameterValue(source, input, context);
      const header = /^integration\.request\.header\.(.+)$/.exec(target);
      const path = /^integration\.request\.path\.(.+)$/.exec(target);
      if (header) headers[header[1]!.toLowerCase()] = value;
      else if (path) pathParams[path[1]!] = value;
    }
    const started = Date.now();
    const response = await callAwsService(options.emulatorEndpoint, { uri: integration.uri ?? '', httpMethod: integration.httpMethod ?? 'POST', body, headers, pathParams });
    context.integration = { status: response.status, latency: Date.now() - started };

    const responses = Object.values(integration.integrationResponses ?? {});
    const selected =
      responses.find((r) => r.selectionPattern && new RegExp(`^(?:${r.selectionPattern})$`, 's').test(String(response.status))) ??
      responses.find((r) => !r.selectionPattern);
    if (!selected) return { status: 500, body: JSON.stringify({ message: 'Internal server error' }) };
    const responseTemplate = selected.responseTemplates?.['application/json'];
    const responseInput = { ...input, body: response.body };
    // As in API Gateway, the template may override the status and set headers.
    const override: NonNullable<RequestContext['responseOverride']> = { header: {} };
    context.responseOverride = override;
    const replyBody = responseTemplate ? renderTemplate(responseTemplate, responseInput, context) : response.body;
    context.responseOverride = undefined;
    return {
      status: Number(override.status ?? selected.statusCode),
      body: replyBody,
      headers: Object.keys(override.header).length ? override.header : undefined,
    };
  }

  async function handle(request: IncomingMessage, api: RestApiDefinition, stage: Stage, path: string, query: Record<string, string>, context: RequestContext): Promise<Reply> {
    const method = request.method ?? 'GET';
    const match = matchRoute(api.routes, method, path);
    if (!match) throw new GatewayError('MISSING_AUTHENTICATION_TOKEN');
    const { route, pathParams } = match;
    context.resourcePath = route.path;
    const rawBody = await readBody(request);
    const headers = headersOf(request);
    const input: TemplateInput = { body: rawBody.toString(), headers, query, pathParams };

    if (route.definition.authorizationType === 'AWS_IAM') {
      const [rawPath = '/', rawQuery = ''] = (request.url ?? '/').split('?', 2);
      const verdict = verifySigV4({ method, rawPath, rawQuery, headers, body: rawBody }, secretFor);
      if (!verdict.ok) throw new GatewayError(verdict.responseType, '', verdict.message);
      context.identity.accessKey = verdict.accessKeyId;
    }

    if (route.definition.apiKeyRequired) {
      const key = (api.keysByStage.get(stage.stageName ?? '') ?? []).find((k) => k.value === headers['x-api-key']);
      if (!key) throw new GatewayError('INVALID_API_KEY');
      context.identity.apiKey = key.value;
      context.identity.apiKeyId = key.id;
      if (!throttle.allow(key)) throw new GatewayError('THROTTLED');
    }

    const contentType = (headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    const validatorId = route.definition.requestValidatorId;
    const modelName = route.definition.requestModels?.[contentType];
    if (validatorId && api.validatesBody.get(validatorId) && modelName) {
      let document: unknown;
      try {
        document = JSON.parse(input.body);
      } catch {
        throw new GatewayError('BAD_REQUEST_BODY', '[Invalid JSON: the body could not be parsed]');
      }
      const validate = validatorFor(api, modelName);
      if (validate && !validate(document)) {
        throw new GatewayError('BAD_REQUEST_BODY', `[${(validate.errors ?? []).map((e) => `${e.instancePath || 'body'} ${e.message}`).join(', ')}]`);
      }
    }

    const integration = route.definition.methodIntegration;
    if (!integration) throw new Error(`${method} ${route.path} has no integration`);
    return integrate(api, route, integration, input, context, contentType, rawBody);
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const localRoute = options.localRoutes?.[url.pathname];
    if (localRoute) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(localRoute()));
      return;
    }
    const [apiId = '', stageName = '', ...rest] = url.pathname.split('/').filter(Boolean);
    const api = options.apis.find((a) => a.id === apiId);
    const stage = api?.stages.find((s) => s.stageName === stageName);
    const now = new Date();
    const requestId = randomUUID();
    const context: RequestContext = {
      requestId,
      extendedRequestId: requestId,
      requestTime: apiGatewayTime(now),
      requestTimeEpoch: now.getTime(),
      httpMethod: request.method ?? 'GET',
      resourcePath: '',
      path: `/${rest.join('/')}`,
      stage: stageName,
      apiId,
      identity: { sourceIp: request.socket.remoteAddress ?? '127.0.0.1', apiKey: '', apiKeyId: '', userAgent: request.headers['user-agent'] ?? '' },
      error: { message: '', validationErrorString: '' },
      // API Gateway logs "-" for values a request never reached.
      integration: { status: '-', latency: '-' },
      xrayTraceId: '',
    };
    const send = (reply: Reply) => {
      response.writeHead(reply.status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...reply.headers });
      response.end(reply.body);
      context.status = reply.status;
      context.responseLength = Buffer.byteLength(reply.body);
      const format = stage?.accessLogSettings?.format;
      options.log(`[api ${api?.name ?? apiId}] ${format ? renderTemplate(format, { body: '', headers: {}, query: {}, pathParams: {} }, context) : `${context.httpMethod} ${context.path} ${reply.status}`}`);
    };
    if (!api || !stage) {
      send({ status: 404, body: JSON.stringify({ message: `no deployed API ${apiId} with stage ${stageName}` }) });
      return;
    }
    handle(request, api, stage, context.path, Object.fromEntries(url.searchParams), context).then(send, (error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        send({ status: 413, body: JSON.stringify({ message: `HTTP content length exceeded ${MAX_BODY_BYTES} bytes.` }), headers: { connection: 'close' } });
      } else if (error instanceof GatewayError) {
        context.error.validationErrorString = error.validationErrors;
        context.error.message = error.errorMessage;
        send(gatewayReply(api, error.responseType, context));
      } else {
        options.log(`[api ${api.name}] ${context.httpMethod} ${context.path} failed: ${(error as Error).stack ?? String(error)}`);
        send(gatewayReply(api, 'DEFAULT_5XX', context));
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const endpoints = options.apis.flatMap((api) =>
    api.stages.flatMap((stage) =>
      api.routes.map((route) => ({
        apiName: api.name,
        stage: stage.stageName ?? '',
        method: route.method,
        url: `${url}/${api.id}/${stage.stageName}${route.path}`,
        apiKey: route.definition.apiKeyRequired ? api.keysByStage.get(stage.stageName ?? '')?.[0]?.value : undefined,
        signed: route.definition.authorizationType === 'AWS_IAM',
      })),
    ),
  );
  return {
    url,
    endpoints,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
