import { createServer, type Server } from 'node:net';
import { expect } from 'chai';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { quick } from '../../../functions/reliable-messaging/clients';

// The SDK's requestTimeout alone only logs a warning (smithy's throwOnRequestTimeout defaults to
// false): without it, a service that accepts the connection and never answers holds ingest until
// its Lambda timeout, past the point where it could still salvage.
describe('reliable messaging: SDK clients give up in seconds', function () {
  let server: Server;
  let port: number;
  before(async function () {
    server = createServer(() => undefined).listen(0, '127.0.0.1'); // accepts, never answers
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(function () {
    server.close();
  });

  it('a service that never answers fails after maxAttempts x requestTimeout', async function () {
    this.timeout(10_000);
    // Secrets Manager: the client no unit test mocks (aws-sdk-client-mock replaces send on the class).
    const secrets = new SecretsManagerClient({ ...quick(500), endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const started = Date.now();
    const error = await secrets.send(new GetSecretValueCommand({ SecretId: 'token' })).then(() => undefined, (e: Error) => e);
    expect(error?.name).to.equal('TimeoutError');
    expect(Date.now() - started).to.be.lessThan(3_000);
  });
});
