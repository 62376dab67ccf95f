import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import { ENV, lambdaEnv, loadTargetMs, median, pairedMedian, pairOrder } from '../../../bench/handlers';

describe('bench/handlers helpers', function () {
  it('median: the middle value, the mean of the two middle ones for an even count, whatever the order', function () {
    expect(median([5, 1, 3])).to.equal(3);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(median([7])).to.equal(7);
    expect(() => median([])).to.throw(/no values/);
  });

  it('pairedMedian: the median of the pairwise differences, not the difference of the medians', function () {
    // medians 20 and 11 differ by 9; the pairs differ by 10, 10 and -10
    expect(pairedMedian([20, 30, 10], [10, 20, 20])).to.equal(10);
    expect(() => pairedMedian([1, 2], [1])).to.throw(/unpaired/);
  });

  it('pairOrder alternates which side runs first', function () {
    expect([0, 1, 2, 3].map((r) => pairOrder(r)[0])).to.deep.equal(['measured', 'baseline', 'measured', 'baseline']);
  });

  it('loadTargetMs: 40 ms with at most one client, 70 ms with more', function () {
    expect([0, 1, 2, 4].map(loadTargetMs)).to.deep.equal([40, 40, 70, 70]);
  });

  it('lambdaEnv: the handler\'s variables over a Lambda-like base without our own environment; unknown handlers refused', function () {
    const env = lambdaEnv('notes-api');
    expect(env).to.include({ TABLE_NAME: 'notes', AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: 'notes-api' });
    expect(env).not.to.have.property('NODE_OPTIONS');
    expect(Object.keys(ENV)).to.include('reliable-messaging-ingest');
    expect(() => lambdaEnv('new-pipeline-handler')).to.throw(/no environment for new-pipeline-handler/);
  });

  it('ENV has an entry for every handler build.mjs bundles (functions/<pipeline>/<name>.handler.ts)', function () {
    const root = new URL('../../../functions/', import.meta.url);
    const handlers = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'lib')
      .flatMap((d) => readdirSync(new URL(`${d.name}/`, root)).filter((f) => f.endsWith('.handler.ts')).map((f) => `${d.name}-${f.slice(0, -'.handler.ts'.length)}`));
    expect(handlers).to.have.length.above(10);
    expect(Object.keys(ENV).sort()).to.deep.equal(handlers.sort());
  });
});
