import { expect } from 'chai';
import { jsonPath, renderTemplate, type RequestContext } from '../../../local/gateway/vtl';

const context: RequestContext = {
  requestId: 'req-1',
  extendedRequestId: 'req-1',
  requestTime: '22/Nov/2026:10:00:00 +0000',
  requestTimeEpoch: 1795370000000,
  httpMethod: 'POST',
  resourcePath: '/messages',
  path: '/messages',
  stage: 'v1',
  apiId: 'api',
  identity: { sourceIp: '127.0.0.1', apiKey: 'k', apiKeyId: 'kid', userAgent: 'test' },
  error: { message: '', validationErrorString: '' },
  integration: { status: '-', latency: '-' },
  xrayTraceId: '',
};
const input = (body: string) => ({ body, headers: {}, query: {}, pathParams: {} });

// The templates below are the ones infra/modules/apigw renders for each integration type.
describe('local gateway mapping templates', function () {
  it('renders the SQS SendMessage template with the body URL-encoded', function () {
    const out = renderTemplate(
      'Action=SendMessage&MessageBody=$util.urlEncode($input.body)&MessageAttribute.1.Name=apiRequestId&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=$util.urlEncode($context.requestId)',
      input('{"type":"a b","data":{"x":"&="}}'),
      context,
    );
    const params = new URLSearchParams(out);
    expect(params.get('MessageBody')).to.equal('{"type":"a b","data":{"x":"&="}}');
    expect(params.get('MessageAttribute.1.Value.StringValue')).to.equal('req-1');
  });

  it('renders the DynamoDB PutItem template to valid JSON that keeps the body intact', function () {
    const template = `{"TableName": "requests",
 "Item": {"pk": {"S": "$context.requestId"},
          "receivedAt": {"N": "$context.requestTimeEpoch"},
          "body": {"S": "$util.escapeJavaScript($input.body).replaceAll("\\\\'", "'")"}},
 "ConditionExpression": "attribute_not_exists(#pk)",
 "ExpressionAttributeNames": {"#pk": "pk"}}`;
    const body = '{"note":"it\'s \\"quoted\\"\\nand new-lined"}';
    const rendered = JSON.parse(renderTemplate(template, input(body), context)) as { Item: { pk: { S: string }; body: { S: string }; receivedAt: { N: string } } };
    expect(rendered.Item.pk.S).to.equal('req-1');
    expect(rendered.Item.receivedAt.N).to.equal('1795370000000');
    expect(rendered.Item.body.S).to.equal(body);
  });

  it('renders the S3 answer with a formal reference before .json', function () {
    const out = renderTemplate('{"requestId":"$context.requestId","key":"incoming/${context.requestId}.json"}', input(''), context);
    expect(JSON.parse(out)).to.deep.equal({ requestId: 'req-1', key: 'incoming/req-1.json' });
  });

  it("reads the SQS answer with $input.path", function () {
    const out = renderTemplate(
      '{"messageId":"$input.path(\'$.SendMessageResponse.SendMessageResult.MessageId\')"}',
      input('{"SendMessageResponse":{"SendMessageResult":{"MessageId":"m-1"}}}'),
      context,
    );
    expect(JSON.parse(out)).to.deep.equal({ messageId: 'm-1' });
    expect(jsonPath({ a: [{ b: 1 }] }, '$.a[0].b')).to.equal(1);
  });
});
