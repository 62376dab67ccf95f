import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { verifySigV4, type IncomingSignedRequest, type SigV4Verdict } from '../../../local/gateway/sigv4';
import { signedFetch, type SigningOptions } from '../../../local/signed-fetch';

/** Sends a request signed by the AWS SDK's signer to a loopback server and verifies what arrives. */
async function verdictFor(path: string, init: { method: string; headers?: Record<string, string>; body?: string }, signing: SigningOptions = {}, tamper: (r: IncomingSignedRequest) => void = () => {}, now?: Date): Promise<SigV4Verdict> {
  let verdict: SigV4Verdict | undefined;
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const [rawPath = '', rawQuery = ''] = (request.url ?? '').split('?', 2);
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
      const incoming = { method: request.method ?? 'GET', rawPath, rawQuery, headers, body: Buffer.concat(chunks) };
      tamper(incoming);
      verdict = verifySigV4(incoming, (key) => (key === 'test' ? 'test' : undefined), now);
      response.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await signedFetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, init, signing);
  } finally {
    server.close();
  }
  return verdict!;
}

describe('local gateway SigV4 verification (AWS_IAM routes), against the AWS SDK signer', function () {
  const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"content":"héllo wörld"}' };

  it('accepts what the SDK signed: bodies, queries that need encoding, item paths', async function () {
    expect(await verdictFor('/abc123/v1/notes', post)).to.deep.equal({ ok: true, accessKeyId: 'test' });
    expect(await verdictFor('/abc123/v1/notes?limit=2&next=eyJub3RlSWQiOnt9fQ&z=a%20b&a=%2A', { method: 'GET' })).to.include({ ok: true });
    expect(await verdictFor('/abc123/v1/notes/00000000-0000-4000-8000-000000000000', { method: 'DELETE' })).to.include({ ok: true });
  });

  it('refuses a changed body, path or query', async function () {
    expect(await verdictFor('/abc123/v1/notes', post, {}, (r) => (r.body = Buffer.from('{"content":"other"}')))).to.include({ ok: false, responseType: 'INVALID_SIGNATURE' });
    expect(await verdictFor('/abc123/v1/notes', post, {}, (r) => (r.rawPath = '/abc123/v1/notez'))).to.include({ ok: false, responseType: 'INVALID_SIGNATURE' });
    expect(await verdictFor('/abc123/v1/notes?limit=2', { method: 'GET' }, {}, (r) => (r.rawQuery = 'limit=3'))).to.include({ ok: false, responseType: 'INVALID_SIGNATURE' });
  });

  it('refuses a wrong secret, an unknown key, another service, an old request, and no signature at all', async function () {
    expect(await verdictFor('/a/v1/notes', post, { secretAccessKey: 'wrong' })).to.include({ responseType: 'INVALID_SIGNATURE' });
    expect(await verdictFor('/a/v1/notes', post, { accessKeyId: 'AKIAUNKNOWN' })).to.include({ responseType: 'ACCESS_DENIED' });
    expect(await verdictFor('/a/v1/notes', post, { service: 'sqs' })).to.include({ responseType: 'INVALID_SIGNATURE' });
    const signedAt = new Date('2026-01-01T00:00:00Z');
    expect(await verdictFor('/a/v1/notes', post, { signingDate: signedAt }, () => {}, new Date('2026-01-01T00:06:00Z'))).to.include({ responseType: 'INVALID_SIGNATURE' });
    expect(await verdictFor('/a/v1/notes', post, { signingDate: signedAt }, () => {}, new Date('2026-01-01T00:04:00Z'))).to.include({ ok: true });
    expect(await verdictFor('/a/v1/notes', post, {}, (r) => delete r.headers.authorization)).to.include({ responseType: 'MISSING_AUTHENTICATION_TOKEN' });
  });

  it('signs with the session token of temporary credentials (sent as x-amz-security-token and signed)', async function () {
    let token: string | undefined;
    const verdict = await verdictFor('/a/v1/messages', post, { sessionToken: 'FwoGZXIvYXdzEXAMPLE' }, (r) => (token = r.headers['x-amz-security-token']));
    expect(verdict).to.include({ ok: true });
    expect(token).to.equal('FwoGZXIvYXdzEXAMPLE');
    expect(await verdictFor('/a/v1/messages', post, { sessionToken: 'FwoGZXIvYXdzEXAMPLE' }, (r) => (r.headers['x-amz-security-token'] = 'other'))).to.include({ ok: false, responseType: 'INVALID_SIGNATURE' });
  });
});
