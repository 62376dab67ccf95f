import { expect } from 'chai';
import type { RestApiDefinition } from '../../../local/gateway/load';
import { LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES, startApiServer, type RunningApiServer } from '../../../local/gateway/server';

function lambdaApi(): RestApiDefinition {
  return {
    id: 'api1',
    name: 'proxy-api',
    stages: [{ stageName: 'v1' }],
    routes: [
      {
        path: '/messages',
        method: 'POST',
        definition: {
          authorizationType: 'NONE',
          methodIntegration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ingest/invocations' },
        },
      },
    ],
    validatesBody: new Map(),
    models: new Map(),
    // API Gateway does not let an API customise REQUEST_TOO_LARGE: this one must not be used.
    gatewayResponses: new Map([['REQUEST_TOO_LARGE', { statusCode: '400', template: '{"custom":true}' }]]),
    keysByStage: new Map(),
  };
}

describe('local gateway: payload limits', function () {
  let gateway: RunningApiServer;
  let invoked: number[];

  before(async function () {
    gateway = await startApiServer({
      apis: [lambdaApi()],
      port: 0,
      emulatorEndpoint: 'http://127.0.0.1:1',
      invokeFunction: async (_arn, event) => {
        invoked.push(Buffer.byteLength(JSON.stringify(event)));
        return { ok: true, payload: { statusCode: 202, body: JSON.stringify({ bytes: ((event as { body: string }).body ?? '').length }) } };
      },
      log: () => {},
    });
  });
  after(() => gateway.stop());
  beforeEach(() => (invoked = []));

  const post = (body: string) => fetch(`${gateway.url}/api1/v1/messages`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });

  it('invokes the function with a body whose event stays under 6,291,456 bytes (a 6,000,000-byte body)', async function () {
    const response = await post('a'.repeat(6_000_000));
    expect(response.status).to.equal(202);
    expect(await response.json()).to.deep.equal({ bytes: 6_000_000 });
    expect(invoked[0]).to.be.lessThanOrEqual(LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES);
  });

  it('answers 413 REQUEST_TOO_LARGE without invoking when the proxy event passes 6,291,456 bytes, though the body alone does not', async function () {
    const response = await post('a'.repeat(LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES - 200)); // the envelope adds the rest
    expect(response.status).to.equal(413);
    expect(await response.json()).to.deep.equal({ message: 'Request Too Long' });
    expect(invoked).to.deep.equal([]);
  });

  it('accepts bodies up to 10 MB at the gateway and refuses more with 413 before anything else', async function () {
    const response = await post('a'.repeat(10 * 1024 * 1024 + 1));
    expect(response.status).to.equal(413);
    expect(await response.json()).to.deep.equal({ message: 'HTTP content length exceeded 10485760 bytes.' });
    expect(invoked).to.deep.equal([]);
    const atLimit = await post('a'.repeat(10 * 1024 * 1024));
    expect(atLimit.status).to.equal(413); // past the gateway, refused by Lambda's smaller limit
    expect(await atLimit.json()).to.deep.equal({ message: 'Request Too Long' });
  });
});
