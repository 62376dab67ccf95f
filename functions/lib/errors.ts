/** Input that can never succeed as it is: retrying changes nothing, a person must look at it. */
export class ValidationError extends Error {
  override name = 'ValidationError';

  constructor(readonly reasons: string[]) {
    super(`invalid message: ${reasons.join('; ')}`);
  }
}
