// A mocha root hook plugin that prints how long each test file took, hooks included (where the integration
// tier's time goes): `mocha --require test/support/file-times.ts ...`. Root hooks run once per file in
// parallel mode; in serial mode they run once, so the one line is the whole run and names every file.
import { basename } from 'node:path';
import type { Context } from 'mocha';

let started = 0;

export const mochaHooks = {
  beforeAll(): void {
    started = Date.now();
  },
  afterAll(this: Context): void {
    const files = new Set((this.test?.parent?.suites ?? []).map((suite) => suite.file).filter((file): file is string => file !== undefined));
    process.stderr.write(`file time: ${((Date.now() - started) / 1000).toFixed(1)} s ${[...files].map((file) => basename(file)).join(', ')}\n`);
  },
};
