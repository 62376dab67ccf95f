import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { RestApiDefinition } from '../../../local/gateway/load';
import { startApiServer, type RunningApiServer } from '../../../local/gateway/server';

/** A depth-limited model built the way infra/modules/apigw builds it (max_body_depth = 3). */
function depthModel(limit: number): object {
  const definitions: Record<string, object> = { bodyDepth0: { type: ['string', 'number', 'boolean', 'null'] } };
  for (let k = 1; k <= limit; k++) {
    const below = { $ref: `#/definitions/bodyDepth${k - 1}` };
    definitions[`bodyDepth${k}`] = { additionalProperties: below, items: below };
  }
  return { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', minProperties: 1, definitions, allOf: [{ $ref: `#/definitions/bodyDepth${limit}` }] };
}

const refusedTemplate = `#set($code = "$!input.path('$.Error.Code')")
#if($code == "RequestThrottled")
#set($context.responseOverride.status = 503)
#set($context.responseOverride.header.Foo = "bar")
#end
{"code":"$code","message":"$!input.path('$.Error.Message')"}`;

function api(): RestApiDefinition {
  return {
    id: 'api1',
    name: 'test-api',
    stages: [{ stageName: 'v1' }],
    routes: [
      {
        path: '/messages',
        method: 'POST',
        definition: {
          apiKeyRequired: false,
          authorizationType: 'NONE',
          requestValidatorId: 'v',
          requestModels: { 'application/json': 'Message' },
          methodIntegration: {
            type: 'AWS',
            httpMethod: 'POST',
            uri: 'arn:aws:apigateway:us-east-1:sqs:path/123456789012/q',
            passthroughBehavior: 'NEVER',
            requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' },
            integrationResponses: {
              '202': { statusCode: '202', responseTemplates: { 'application/json': '{"ok":true}' } },
              '400': { statusCode: '400', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': refusedTemplate } },
            },
          },
        },
      },
    ],
    validatesBody: new Map([['v', true]]),
    models: new Map([['Message', depthModel(3)]]),
    gatewayResponses: new Map([['BAD_REQUEST_BODY', { statusCode: '400', template: '{"message":"Invalid request body: $context.error.validationErrorString"}' }]]),
    keysByStage: new Map(),
  };
}

describe('local gateway: integration responses and body models', function () {
  let backend: Server;
  let gateway: RunningApiServer;
  let answer = { status: 200, body: '' };
  let received = 0;

  before(async function () {
    backend = createServer((request, response) => {
      received += 1;
      request.resume();
      request.on('end', () => response.writeHead(answer.status, { 'content-type': 'text/xml' }).end(answer.body));
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    gateway = await startApiServer({
      apis: [api()],
      port: 0,
      emulatorEndpoint: `http://127.0.0.1:${(backend.address() as AddressInfo).port}`,
      invokeFunction: () => Promise.reject(new Error('no functions')),
      log: () => {},
    });
  });

  after(async function () {
    await gateway.stop();
    await new Promise<void>((resolve) => backend.close(() => resolve()));
  });

  const post = (body: string) => fetch(`${gateway.url}/api1/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const sqsError = (code: string, message: string) =>
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`;

  it('hands a query-protocol error to the template as {"Error":{...}}, as API Gateway does', async function () {
    answer = { status: 400, body: sqsError('InvalidParameterValue', 'Message must be shorter than 1024 bytes.') };
    const response = await post('{"a":1}');
    expect(response.status).to.equal(400);
    expect(await response.json()).to.deep.equal({ code: 'InvalidParameterValue', message: 'Message must be shorter than 1024 bytes.' });
  });

  it('lets the template override the status and set headers ($context.responseOverride)', async function () {
    answer = { status: 403, body: sqsError('RequestThrottled', 'Request is throttled.') };
    const response = await post('{"a":1}');
    expect(response.status).to.equal(503);
    expect(response.headers.get('foo')).to.equal('bar');
    expect(((await response.json()) as { code: string }).code).to.equal('RequestThrottled');
  });

  it('keeps the selected status when the template overrides nothing, request after request', async function () {
    answer = { status: 200, body: '<SendMessageResponse><SendMessageResult><MessageId>m</MessageId></SendMessageResult></SendMessageResponse>' };
    expect((await post('{"a":1}')).status).to.equal(202);
  });

  it('enforces a depth-limited draft-04 model with local $ref definitions (400 before the back end)', async function () {
    answer = { status: 200, body: '<SendMessageResponse/>' };
    const before = received;
    expect((await post('{"a":{"b":[1]}}')).status, '3 levels').to.equal(202);
    for (const body of ['{"a":{"b":[[1]]}}', `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`]) {
      const response = await post(body);
      expect(response.status).to.equal(400);
      expect(((await response.json()) as { message: string }).message).to.match(/^Invalid request body: \[.+\]$/);
    }
    expect(received - before, 'back-end calls').to.equal(1);
  });
});
