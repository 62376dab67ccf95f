import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What the client signed, as the local gateway received it. */
export interface IncomingSignedRequest {
  method: string;
  /** The path exactly as sent (still percent-encoded), without the query. */
  rawPath: string;
  /** The query string exactly as sent, without '?'. */
  rawQuery: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Buffer;
}

export type SigV4Verdict =
  | { ok: true; accessKeyId: string }
  | { ok: false; responseType: 'MISSING_AUTHENTICATION_TOKEN' | 'INVALID_SIGNATURE' | 'EXPIRED_TOKEN' | 'ACCESS_DENIED'; message: string };

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 5 * 60 * 1000;

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const rfc3986 = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [key = '', value = ''] = pair.split('=', 2).map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
      return [rfc3986(key), rfc3986(value)] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : av > bv ? 1 : 0) : ak < bk ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/**
 * Verifies a Signature Version 4 Authorization header the way API Gateway does for AWS_IAM routes:
 * the credential scope must name execute-api, the key must be known, the request must be recent, and
 * the signature over the canonical request (the headers the client chose to sign) must match.
 * Non-S3 services sign the path URI-encoded twice, hence rfc3986 over the already-encoded path.
 */
export function verifySigV4(request: IncomingSignedRequest, secretFor: (accessKeyId: string) => string | undefined, now = new Date()): SigV4Verdict {
  const header = request.headers.authorization;
  if (!header) return { ok: false, responseType: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' };
  const match = AUTHORIZATION.exec(header.trim());
  if (!match) return { ok: false, responseType: 'INVALID_SIGNATURE', message: 'Authorization header is not a SigV4 (AWS4-HMAC-SHA256) signature' };
  const [, accessKeyId = '', day = '', region = '', service = '', signedHeaders = '', signature = ''] = match;
  if (service !== 'execute-api') return { ok: false, responseType: 'INVALID_SIGNATURE', message: `Credential should be scoped to correct service: 'execute-api', not '${service}'` };
  const secret = secretFor(accessKeyId);
  if (secret === undefined) return { ok: false, responseType: 'ACCESS_DENIED', message: 'The security token included in the request is invalid' };
  const amzDate = request.headers['x-amz-date'] ?? '';
  const signedAt = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!signedAt || !amzDate.startsWith(day)) return { ok: false, responseType: 'INVALID_SIGNATURE', message: 'X-Amz-Date is missing or does not match the credential scope' };
  const [, y, mo, d, h, mi, s] = signedAt.map(Number) as number[];
  if (Math.abs(now.getTime() - Date.UTC(y!, mo! - 1, d, h, mi, s)) > MAX_SKEW_MS) return { ok: false, responseType: 'INVALID_SIGNATURE', message: 'Signature expired: the request is more than 5 minutes old or in the future' };

  const names = signedHeaders.split(';');
  if (!names.includes('host')) return { ok: false, responseType: 'INVALID_SIGNATURE', message: "'Host' must be a signed header" };
  const canonicalHeaders = names.map((name) => `${name}:${(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  // The body is always hashed here: a client's x-amz-content-sha256 header is a claim, not proof.
  const payloadHash = request.headers['x-amz-content-sha256'] === 'UNSIGNED-PAYLOAD' ? 'UNSIGNED-PAYLOAD' : sha256Hex(request.body);
  const canonicalRequest = [request.method, rfc3986(request.rawPath || '/').replace(/%2F/g, '/'), canonicalQuery(request.rawQuery), canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return { ok: false, responseType: 'INVALID_SIGNATURE', message: 'The request signature we calculated does not match the signature you provided' };
  }
  return { ok: true, accessKeyId };
}
