import { useMoto } from '../support/moto';
import { expectApplyReplanDestroy } from './fixtures/moto-shim/terraform';

/** The rest of the ElastiCache shim's tests are in moto-shim-elasticache.test.ts. */
describe('moto shim: ElastiCache as the AWS provider uses it (infra/modules/elasticache-vpc)', function () {
  const moto = useMoto();

  it('the AWS provider applies infra/modules/elasticache-vpc, re-plans it without a diff and destroys it', function () {
    this.timeout(900_000);
    expectApplyReplanDestroy(moto.current().endpoint, ['elasticache-vpc']);
  });
});
