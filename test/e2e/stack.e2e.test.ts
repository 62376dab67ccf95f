import { expect } from 'chai';
import { eventSourceAdapters, serviceOf } from '../../local/event-sources/index';
import { scenarios } from '../../local/scenarios/index';
import { e2eStack } from './stack.fixture';

/** What the runtime discovered from the applied stack, before any pipeline's own tests. */
describe('the local stack (one terraform apply on the emulator + local runtime, shared by every e2e file)', function () {
  it('reads each pipeline from the stack outputs, and every registered scenario names a deployed pipeline', function () {
    const { pipelines, pipelineSecrets } = e2eStack();
    expect(Object.keys(pipelines).sort()).to.include.members(['etl', 'notes', 'storage_first']);
    expect(scenarios.map((s) => s.pipeline).filter((name) => !(name in pipelines)), 'scenarios without a deployed pipeline').to.deep.equal([]);
    expect(pipelineSecrets.storage_first?.api_key, 'storage-first API key').to.be.a('string').and.not.equal('');
    expect(pipelineSecrets.notes?.api_key, 'notes API key').to.be.a('string').and.not.equal('');
  });

  it('polls every event source mapping through the adapter registered for its service', function () {
    const { mappings, stats } = e2eStack();
    const services = mappings.map((m) => serviceOf(m.EventSourceArn));
    expect(services.filter((service) => !(service in eventSourceAdapters)), 'services without an adapter').to.deep.equal([]);
    expect(stats.map((s) => s.source).sort()).to.deep.equal(mappings.map((m) => m.EventSourceArn).sort());
    expect(services, 'the three pipelines have queue and stream mappings').to.include.members(['sqs', 'dynamodb']);
  });
});
