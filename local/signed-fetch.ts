import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { EMULATOR_CREDENTIALS } from './emulator/moto';

type Data = string | ArrayBuffer | ArrayBufferView;
const toBuffer = (data: Data) =>
  typeof data === 'string' ? Buffer.from(data) : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

/** The SHA-256 the SDK's signer wants (hash, or HMAC when given a secret), over node:crypto. */
class Sha256 {
  private readonly secret?: Buffer;
  private hash: Hash | Hmac;
  constructor(secret?: Data) {
    this.secret = secret === undefined ? undefined : toBuffer(secret);
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }
  update(data: Data) {
    this.hash.update(toBuffer(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {
    this.hash = this.fresh();
  }
}

export interface SigningOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Temporary credentials (an assumed role, SSO) sign with their session token too. */
  sessionToken?: string;
  region?: string;
  service?: string;
  signingDate?: Date;
}

/**
 * Signs a fetch request for an AWS_IAM route with the AWS SDK's own signer (what real clients use),
 * by default with the emulator's credentials.
 */
export async function signedFetch(url: string, init: { method: string; headers?: Record<string, string>; body?: string }, options: SigningOptions = {}): Promise<Response> {
  const target = new URL(url);
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: options.accessKeyId ?? EMULATOR_CREDENTIALS.accessKeyId,
      secretAccessKey: options.secretAccessKey ?? EMULATOR_CREDENTIALS.secretAccessKey,
      ...(options.sessionToken === undefined ? {} : { sessionToken: options.sessionToken }),
    },
    region: options.region ?? 'us-east-1',
    service: options.service ?? 'execute-api',
    sha256: Sha256,
  });
  const query: Record<string, string> = Object.fromEntries(target.searchParams);
  const signed = await signer.sign(
    { method: init.method, protocol: target.protocol, hostname: target.hostname, port: Number(target.port) || undefined, path: target.pathname, query, headers: { host: target.host, ...(init.headers ?? {}) }, body: init.body },
    { signingDate: options.signingDate },
  );
  const { host: _host, ...headers } = signed.headers;
  return fetch(url, { method: init.method, headers, body: init.body });
}
