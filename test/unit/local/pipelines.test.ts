import { expect } from 'chai';
import type { Endpoint } from '../../../local/gateway/server';
import { deployedPipelines } from '../../../local/pipelines';
import { scenarios } from '../../../local/scenarios/index';
import { endpointsOf, routeOf } from '../../../local/scenarios/scenario';

describe('local runtime: pipelines from the stack outputs, and their scenarios', function () {
  it('reads the pipelines map and its secrets; a disabled (null) pipeline is absent', function () {
    const read = deployedPipelines({
      pipelines: { storage_first: { queue_url: 'q' }, etl: null, notes: { table_name: 't' } },
      pipeline_secrets: { storage_first: { api_key: 'k1' }, notes: { api_key: 'k2' } },
    });
    expect(read).to.deep.equal({
      pipelines: { storage_first: { queue_url: 'q' }, notes: { table_name: 't' } },
      secrets: { storage_first: { api_key: 'k1' }, notes: { api_key: 'k2' } },
    });
  });

  it('fails naming the outputs it found when there is no pipelines output', function () {
    expect(() => deployedPipelines({ storage_first: { queue_url: 'q' } })).to.throw('infra/local has no pipelines output (outputs: storage_first)');
  });

  it('gives a pipeline the endpoints of the API its summary names, each with its route', function () {
    const endpoint = (api: string, method: string, path: string): Endpoint => ({ apiName: api, stage: 'v1', method, url: `http://127.0.0.1:4010/${api}/v1${path}`, signed: false });
    const all = [endpoint('abc123', 'POST', '/messages'), endpoint('def456', 'GET', '/notes/{noteId}'), endpoint('def456', 'POST', '/notes')];
    expect(endpointsOf({ rest_api_id: 'def456' }, all).map(routeOf)).to.deep.equal(['GET /notes/{noteId}', 'POST /notes']);
    expect(endpointsOf({ bucket_name: 'b' }, all)).to.deep.equal([]);
  });

  it('registers one scenario per pipeline', function () {
    const names = scenarios.map((s) => s.pipeline);
    expect(names).to.have.length.above(0);
    expect(new Set(names).size, names.join(', ')).to.equal(names.length);
  });
});
