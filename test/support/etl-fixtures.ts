import { Readable } from 'node:stream';

export { badRow, csvOf, goodRow, HEADER } from '../../local/scenarios/etl-rows';

export const streamOf = (text: string, chunkSize = 7) =>
  Readable.from((function* () {
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  })());
