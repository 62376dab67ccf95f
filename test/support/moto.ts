import { startMoto, type RunningMoto } from '../../local/emulator/moto';

const AWS_ENV = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_DEFAULT_REGION'] as const;

/**
 * Starts a real moto server for the enclosing suite and points the AWS SDK at it through the standard
 * environment variables (AWS_ENDPOINT_URL), restoring the environment afterwards.
 */
export function useMoto(): { current(): RunningMoto } {
  let moto: RunningMoto | undefined;
  const saved: Partial<Record<(typeof AWS_ENV)[number], string | undefined>> = {};

  before(async function () {
    this.timeout(60_000);
    moto = await startMoto();
    for (const name of AWS_ENV) saved[name] = process.env[name];
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
    });
  });

  after(async function () {
    this.timeout(30_000);
    await moto?.stop();
    for (const name of AWS_ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  return {
    current() {
      if (!moto) throw new Error('moto is not running (useMoto must be called inside a describe)');
      return moto;
    },
  };
}

/** moto checks that a function's role exists; the project has no IAM client, and moto takes the query API unsigned. */
export async function createLambdaRole(name: string): Promise<string> {
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  const response = await fetch(process.env.AWS_ENDPOINT_URL!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' },
    body: new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: name, AssumeRolePolicyDocument: trust }).toString(),
  });
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(await response.text())?.[1];
  if (!arn) throw new Error(`CreateRole failed: HTTP ${response.status}`);
  return arn;
}
