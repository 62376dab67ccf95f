import velocity from 'velocityjs';

/** The API Gateway mapping-template context ($context). */
export interface RequestContext {
  requestId: string;
  extendedRequestId: string;
  requestTime: string;
  requestTimeEpoch: number;
  httpMethod: string;
  resourcePath: string;
  path: string;
  stage: string;
  apiId: string;
  identity: { sourceIp: string; apiKey: string; apiKeyId: string; userAgent: string; accessKey?: string };
  error: { message: string; validationErrorString: string };
  status?: number;
  responseLength?: number;
  integration: { status: number | string; latency: number | string };
  xrayTraceId: string;
  /** What an integration response template sets with #set($context.responseOverride.status = ...). */
  responseOverride?: { status?: number | string; header: Record<string, string> };
}

/** Reads a JSONPath of the simple kind mapping templates use: $, $.a.b, $.a[0].b, $['a']. */
export function jsonPath(document: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`unsupported JSONPath ${path}`);
  const parts = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]/g)].map((m) => m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]));
  let current: unknown = document;
  for (const part of parts) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part as string | number];
  }
  return current;
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return {};
  }
}

export interface TemplateInput {
  body: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  pathParams: Record<string, string>;
}

/**
 * API Gateway renders templates with Java's Velocity: string methods such as replaceAll take a
 * regular expression there, as in the documented `.replaceAll("\\'", "'")`. JavaScript's take a
 * literal, so these methods get the Java behaviour.
 */
const javaStringMethods: Record<string, (text: string, params: string[]) => unknown> = {
  replaceAll: (text, [pattern = '', replacement = '']) => text.replace(new RegExp(pattern, 'g'), replacement),
  replaceFirst: (text, [pattern = '', replacement = '']) => text.replace(new RegExp(pattern), replacement),
  matches: (text, [pattern = '']) => new RegExp(`^(?:${pattern})$`).test(text),
};

const renderConfig = {
  customMethodHandlers: Object.entries(javaStringMethods).map(([name, method]) => ({
    uid: `java-${name}`,
    match: ({ property, context }: { property: string; context: unknown }) => property === name && typeof context === 'string',
    resolve: ({ context, params }: { context: unknown; params: unknown[] }) => method(context as string, params.map(String)),
  })),
};

export const util = {
  urlEncode: (s: unknown) => encodeURIComponent(String(s ?? '')),
  urlDecode: (s: unknown) => decodeURIComponent(String(s ?? '')),
  // Java-style escaping, as API Gateway does it (it also escapes ', which JSON does not allow).
  escapeJavaScript: (s: unknown) => JSON.stringify(String(s ?? '')).slice(1, -1).replace(/'/g, "\\'"),
  base64Encode: (s: unknown) => Buffer.from(String(s ?? '')).toString('base64'),
  base64Decode: (s: unknown) => Buffer.from(String(s ?? ''), 'base64').toString(),
  parseJson: (s: unknown) => JSON.parse(String(s)),
};

/** Renders a mapping template with API Gateway's $input, $util and $context. */
export function renderTemplate(template: string, input: TemplateInput, context: RequestContext): string {
  const document = parseBody(input.body);
  const $input = {
    body: input.body,
    json: (path: string) => JSON.stringify(jsonPath(document, path) ?? null),
    path: (path: string) => jsonPath(document, path),
    params: (name?: string) => {
      const all = { path: input.pathParams, querystring: input.query, header: input.headers };
      if (name === undefined) return all;
      return input.pathParams[name] ?? input.query[name] ?? input.headers[name.toLowerCase()];
    },
  };
  return velocity.render(template, { input: $input, util, context }, {}, renderConfig);
}
