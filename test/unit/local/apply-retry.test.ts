import { expect } from 'chai';
import { applyFromScratchWithOneRetry } from '../../../local/terraform';

describe('local stack: a failed apply starts over once', function () {
  it('starts over on an empty emulator after a failure, and logs the first error', async function () {
    const calls: string[] = [];
    const logs: string[] = [];
    let attempts = 0;
    const result = await applyFromScratchWithOneRetry(
      async () => {
        attempts += 1;
        calls.push(`apply ${attempts}`);
        if (attempts === 1) throw new Error('ResourceConflictException: Function already exist: e2e-reliable-messaging-ingest');
        return 'applied';
      },
      async () => {
        calls.push('start over');
      },
      (line) => logs.push(line),
    );
    expect(result).to.equal('applied');
    expect(calls).to.deep.equal(['apply 1', 'start over', 'apply 2']);
    expect(logs).to.have.length(1);
    expect(logs[0]).to.include('starting over once').and.include('Function already exist');
  });

  it('applies once when the first apply succeeds', async function () {
    const calls: string[] = [];
    expect(await applyFromScratchWithOneRetry(async () => (calls.push('apply'), 42), async () => void calls.push('start over'), () => {})).to.equal(42);
    expect(calls).to.deep.equal(['apply']);
  });

  it('fails with the second error when the apply fails again (a configuration error is not hidden)', async function () {
    let attempts = 0;
    const error = await applyFromScratchWithOneRetry(
      async () => {
        attempts += 1;
        throw new Error(`invalid configuration (attempt ${attempts})`);
      },
      async () => {},
      () => {},
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.equal('invalid configuration (attempt 2)');
    expect(attempts).to.equal(2);
  });
});
