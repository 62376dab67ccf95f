import { expect } from 'chai';
import * as z from 'zod/mini';
import { ConfigError, loadConfig } from '../../../functions/lib/config';

describe('loadConfig', function () {
  const schema = z.object({ TABLE_NAME: z.string().check(z.minLength(1)), BATCH_SIZE: z.coerce.number().check(z.int(), z.positive()) });

  it('returns the typed configuration', function () {
    expect(loadConfig(schema, { TABLE_NAME: 't', BATCH_SIZE: '25' })).to.deep.equal({ TABLE_NAME: 't', BATCH_SIZE: 25 });
  });

  it('names every missing or bad variable in one error', function () {
    expect(() => loadConfig(schema, { BATCH_SIZE: '-1' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/TABLE_NAME/)
      .and.matches(/BATCH_SIZE/);
  });

  it('says what is wrong in English (zod/mini alone would say "Invalid input")', function () {
    expect(() => loadConfig(schema, { BATCH_SIZE: '-1' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/TABLE_NAME: Invalid input: expected string, received undefined/)
      .and.matches(/BATCH_SIZE: Too small: expected number to be >0/);
  });
});
