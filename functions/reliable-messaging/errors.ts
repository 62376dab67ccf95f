// Error names are what the state machine's Retry and Catch match on (a Lambda task fails with the
// function's error name), so these are not retried: retrying cannot bring a payload back or fix it.

/** The payload is no longer in Redis (expired, deleted, or Redis lost it). */
export class PayloadMissingError extends Error {
  override name = 'PayloadMissingError';
}

/** The payload in Redis is not the one the pointer describes (size or SHA-256 differ). */
export class ChecksumMismatchError extends Error {
  override name = 'ChecksumMismatchError';
}
