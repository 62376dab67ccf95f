import { expect } from 'chai';
import { gbSeconds, lineUsd, models, pipelineCost, PRICES, type PipelineModel } from '../../../bench/cost';

describe('bench/cost helpers', function () {
  it('gbSeconds: invocations x memory in GB (MB/1024) x duration rounded up to the millisecond', function () {
    expect(gbSeconds({ fn: 'f', invocations: 1000, memoryMb: 512, ms: 99.2 })).to.equal(1000 * 0.5 * 0.1);
    expect(gbSeconds({ fn: 'f', invocations: 1, memoryMb: 1024, ms: 1 })).to.equal(0.001);
  });

  it('lineUsd: quantity over the price unit times the price', function () {
    expect(lineUsd({ what: 'x', quantity: 2e6, price: 'apiRest' })).to.be.closeTo(7, 1e-9);
    expect(lineUsd({ what: 'x', quantity: 7e6, price: 'stepFunctionsTransition' })).to.be.closeTo(175, 1e-9);
  });

  it('pipelineCost adds Lambda requests and GB-seconds, log ingestion and storage to the request lines', function () {
    const model: PipelineModel = {
      name: 'p',
      input: 'i',
      requests: [{ what: 'sqs', quantity: 1e6, price: 'sqsStandard' }],
      lambdas: [{ fn: 'f', invocations: 1e6, memoryMb: 1024, ms: 100 }],
      logBytes: 1024 ** 3 / 1e6, // 1 GB per million inputs
      storage: [{ what: 's3', quantity: 10, price: 's3Storage' }],
      notes: [],
      limits: [],
    };
    const cost = pipelineCost(model);
    expect(cost.gbSeconds).to.be.closeTo(100_000, 1e-6);
    expect(cost.lambdaUsd).to.be.closeTo(0.2 + 100_000 * PRICES.lambdaArmGbSecond.usd, 1e-9);
    expect(cost.logsUsd).to.be.closeTo(0.5, 1e-9);
    expect(cost.storageUsd).to.be.closeTo(0.23, 1e-9);
    expect(cost.totalUsd).to.be.closeTo(0.4 + cost.lambdaUsd + 0.5 + 0.23, 1e-9);
    expect(cost.awsRequests).to.equal(1e6);
  });

  it('models: every pipeline, each with a source for every price it uses and at least one limit with the setting that raises it', function () {
    const all = models({ notesSqsCallsPerForwarded: 0.1, notesDynamoCallsPerNote: 2, etlBatchWritesPerRow: 0.04, etlBytesPerRow: 87 });
    expect(all.map((m) => m.name)).to.deep.equal(['storage-first', 'notes', 'etl', 'reliable-messaging', 'streaming-events']);
    for (const m of all) {
      expect(m.limits.length, m.name).to.be.above(0);
      for (const l of m.limits) expect(l.raise, `${m.name}: ${l.limit}`).not.to.equal('');
      for (const l of [...m.requests, ...m.storage]) expect(PRICES[l.price].source, l.what).not.to.equal('');
    }
    // the measured calls feed the model: a second DynamoDB call per count is a read
    const notes = all.find((m) => m.name === 'notes')!;
    expect(notes.requests.find((l) => l.price === 'dynamodbRead')?.quantity).to.equal(1e6);
  });
});
