import { XMLParser } from 'fast-xml-parser';

export interface ServiceResponse {
  status: number;
  /** The body as JSON text (XML answers of query-protocol services are converted). */
  body: string;
}

/** JSON-protocol services by their X-Amz-Target prefix; the others speak the query protocol. */
const JSON_TARGETS: Record<string, { prefix: string; contentType: string }> = {
  dynamodb: { prefix: 'DynamoDB_20120810', contentType: 'application/x-amz-json-1.0' },
  kinesis: { prefix: 'Kinesis_20131202', contentType: 'application/x-amz-json-1.1' },
  firehose: { prefix: 'Firehose_20150804', contentType: 'application/x-amz-json-1.1' },
  events: { prefix: 'AWSEvents', contentType: 'application/x-amz-json-1.1' },
  states: { prefix: 'AWSStepFunctions', contentType: 'application/x-amz-json-1.0' },
};

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

export interface AwsIntegrationCall {
  uri: string;
  httpMethod: string;
  body: string;
  headers: Record<string, string>;
  pathParams: Record<string, string>;
}

/**
 * Sends an API Gateway "AWS" integration request to the emulator. moto picks the service from the
 * credential scope of the Authorization header and does not check signatures, so the header carries
 * the scope only.
 */
export async function callAwsService(emulatorEndpoint: string, call: AwsIntegrationCall): Promise<ServiceResponse> {
  const match = /^arn:aws[a-z-]*:apigateway:([^:]+):([^:.]+)[^:]*:(path|action)\/(.+)$/.exec(call.uri);
  if (!match) throw new Error(`unsupported integration URI ${call.uri}`);
  const [, region, service, style, rest] = match as unknown as [string, string, string, string, string];
  const headers: Record<string, string> = {
    ...call.headers,
    authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=local`,
  };

  let url: string;
  let body = call.body;
  if (style === 'path') {
    const path = rest.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(call.pathParams[name] ?? ''));
    url = `${emulatorEndpoint}/${path}`;
  } else {
    url = `${emulatorEndpoint}/`;
    const target = JSON_TARGETS[service];
    if (target) {
      headers['x-amz-target'] = `${target.prefix}.${rest}`;
      headers['content-type'] = target.contentType;
    } else {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      body = `Action=${encodeURIComponent(rest)}${body ? `&${body}` : ''}`;
    }
  }

  const response = await fetch(url, { method: style === 'path' ? call.httpMethod : 'POST', headers, body: call.httpMethod === 'GET' ? undefined : body });
  const text = await response.text();
  const isXml = (response.headers.get('content-type') ?? '').includes('xml') || text.trimStart().startsWith('<');
  return { status: response.status, body: isXml && text.trim() ? JSON.stringify(asApiGatewaySees(xml.parse(text) as unknown)) : text };
}

/**
 * The JSON API Gateway hands to integration response templates: a query-protocol error arrives as
 * {"Error":{"Code","Message","Type"},"RequestId"}, without the XML's ErrorResponse wrapper.
 */
function asApiGatewaySees(parsed: unknown): unknown {
  if (parsed !== null && typeof parsed === 'object' && 'ErrorResponse' in parsed) {
    const { ErrorResponse } = parsed as { ErrorResponse: unknown };
    if (ErrorResponse !== null && typeof ErrorResponse === 'object') return ErrorResponse;
  }
  return parsed;
}
