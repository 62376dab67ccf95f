// build.mjs bundles this module in place of @aws-sdk/credential-provider-node, whose default chain
// every SDK client imports. Lambda always hands a function its role's credentials in
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, the chain's first link, so the other
// links (profiles, SSO, web identity, ECS and instance metadata) never run there, yet their code and
// the STS/SSO clients they bring were about 40% of a one-client bundle and ~13 ms of its load time.
// The local runtime and the tests set the same variables.
import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

export const MISSING_CREDENTIALS =
  'no AWS credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, as Lambda sets them): ' +
  'the bundled handlers read credentials only from there (build.mjs leaves the SDK\'s other credential sources out)';

/** Same signature as the SDK's defaultProvider: credentials from the environment, read when asked. */
export function defaultProvider(init: FromEnvInit = {}): AwsCredentialIdentityProvider {
  const fromEnvironment = fromEnv(init);
  return async (): Promise<AwsCredentialIdentity> => {
    try {
      return await fromEnvironment();
    } catch (error) {
      throw Object.assign(new Error(MISSING_CREDENTIALS, { cause: error }), { name: 'CredentialsProviderError' });
    }
  };
}
