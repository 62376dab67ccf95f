import { expect } from 'chai';
import { CreateMultipartUploadCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { QuarantineWriter, type RejectedRow } from '../../../functions/etl/quarantine';

interface Sent {
  name: string;
  input: Record<string, unknown>;
  /** A copy of the body's bytes when sent, and the memory it was sent from. */
  bytes?: Buffer;
  memory?: ArrayBufferLike;
}

/** A stub S3 client that records what it is sent; `answer` may delay or fail a call. */
function stubS3(answer: (sent: Sent) => Promise<unknown> | unknown = () => ({})) {
  const sent: Sent[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const s3 = Object.assign(new S3Client({ region: 'us-east-1' }), {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const body = command.input.Body as Buffer | undefined;
      const record: Sent = { name: command.constructor.name, input: command.input, ...(body && { bytes: Buffer.from(body), memory: body.buffer }) };
      sent.push(record);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const fixed = command instanceof CreateMultipartUploadCommand ? { UploadId: 'up-1' } : command instanceof UploadPartCommand ? { ETag: `"etag-${String(command.input.PartNumber)}"`, ChecksumCRC32: `crc-${String(command.input.PartNumber)}` } : {};
        return { ...fixed, ...((await answer(record)) as object) };
      } finally {
        inFlight -= 1;
      }
    },
  });
  return { s3, sent, maxInFlight: () => maxInFlight };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
const names = (sent: Sent[]) => sent.map((s) => s.name);
const parts = (sent: Sent[]) => sent.filter((s) => s.name === 'UploadPartCommand');
const lineOf = (row: RejectedRow) => `${JSON.stringify(row)}\n`;

describe('QuarantineWriter', function () {
  it('creates nothing when no row is rejected', async function () {
    const { s3, sent } = stubS3();
    expect(await new QuarantineWriter(s3, 'b', 'q/k.jsonl').close()).to.equal(undefined);
    expect(sent).to.deep.equal([]);
  });

  it('writes a small quarantine with one PutObject: JSON lines, content type, KMS key', async function () {
    const { s3, sent } = stubS3();
    const writer = new QuarantineWriter(s3, 'b', 'q/k.jsonl', 'kms-key');
    const rows: RejectedRow[] = [{ line: 2, reasons: ['x: required'], values: { x: '' } }, { line: 5, reasons: ['bad'], raw: 'a,"b', truncated: true, startByte: 10, endByte: 14 }];
    for (const row of rows) await writer.write(row);
    expect(await writer.close()).to.equal('q/k.jsonl');
    expect(names(sent)).to.deep.equal(['PutObjectCommand']);
    expect(sent[0]!.input).to.include({ Bucket: 'b', Key: 'q/k.jsonl', ContentType: 'application/x-ndjson', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'kms-key' });
    expect(sent[0]!.bytes!.toString()).to.equal(rows.map(lineOf).join(''));
    expect(writer.count).to.equal(2);
  });

  it('uploads full parts in order, then the rest, and completes with every part: the object is the rows byte for byte (UTF-8 split across parts, a row larger than several parts)', async function () {
    const { s3, sent } = stubS3(tick);
    const writer = new QuarantineWriter(s3, 'b', 'q/k.jsonl', 'kms-key', { partBytes: 100 });
    const rows: RejectedRow[] = [];
    for (let i = 0; i < 40; i++) rows.push({ line: i + 2, reasons: [`r${i}`], values: { name: 'Zoë ✓ 日本'.repeat(1 + (i % 3)) } });
    rows.splice(7, 0, { line: 999, reasons: ['huge'], raw: '€'.repeat(150) }); // 450 bytes of text: more than four parts
    for (const row of rows) await writer.write(row);
    await writer.close();

    const expected = Buffer.from(rows.map(lineOf).join(''));
    expect(names(sent)[0]).to.equal('CreateMultipartUploadCommand');
    expect(sent[0]!.input).to.include({ ContentType: 'application/x-ndjson', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'kms-key', ChecksumAlgorithm: 'CRC32' });
    expect(names(sent).at(-1)).to.equal('CompleteMultipartUploadCommand');
    const uploaded = parts(sent);
    expect(uploaded.map((p) => p.input.PartNumber)).to.deep.equal(uploaded.map((_, i) => i + 1));
    expect(uploaded.map((p) => p.bytes!.length)).to.deep.equal(uploaded.map((_, i) => (i < uploaded.length - 1 ? 100 : expected.length - 100 * (uploaded.length - 1))));
    expect(uploaded.every((p) => p.input.UploadId === 'up-1' && p.input.ChecksumAlgorithm === 'CRC32')).to.equal(true);
    expect(Buffer.concat(uploaded.map((p) => p.bytes!)).equals(expected)).to.equal(true);
    // Some part ends inside a multi-byte character (its last byte is a lead or continuation byte).
    expect(uploaded.slice(0, -1).some((p) => p.bytes!.at(-1)! >= 0x80)).to.equal(true);
    const complete = sent.at(-1)!.input as { UploadId: string; MultipartUpload: { Parts: unknown[] } };
    expect(complete.UploadId).to.equal('up-1');
    expect(complete.MultipartUpload.Parts).to.deep.equal(uploaded.map((_, i) => ({ PartNumber: i + 1, ETag: `"etag-${i + 1}"`, ChecksumCRC32: `crc-${i + 1}` })));
  });

  it('holds at most two part buffers (one filling, one in flight) and uploads one part at a time', async function () {
    const { s3, sent, maxInFlight } = stubS3(tick);
    const writer = new QuarantineWriter(s3, 'b', 'q/k.jsonl', undefined, { partBytes: 1024 });
    for (let i = 0; i < 500; i++) await writer.write({ line: i, reasons: ['bad'], raw: 'x'.repeat(i % 90) });
    await writer.close();
    const uploaded = parts(sent);
    expect(uploaded.length).to.be.above(20);
    expect(new Set(uploaded.map((p) => p.memory)).size).to.equal(2);
    expect(maxInFlight()).to.equal(1);
  });

  for (const failing of ['CreateMultipartUploadCommand', 'UploadPartCommand'] as const) {
    it(`a failed ${failing.replace('Command', '')} is thrown by the next write or by close (never unhandled), and the upload is aborted`, async function () {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        let partCalls = 0;
        const { s3, sent } = stubS3(async (s) => {
          await tick();
          if (s.name === failing && (failing !== 'UploadPartCommand' || ++partCalls === 2)) throw new Error('S3 says no');
        });
        const writer = new QuarantineWriter(s3, 'b', 'q/k.jsonl', undefined, { partBytes: 100 });
        let thrown: unknown;
        try {
          for (let i = 0; i < 50; i++) await writer.write({ line: i, reasons: ['bad'] });
          await writer.close();
        } catch (error) {
          thrown = error;
        }
        expect((thrown as Error | undefined)?.message).to.equal('S3 says no');
        await tick();
        expect(unhandled).to.deep.equal([]);
        const aborts = sent.filter((s) => s.name === 'AbortMultipartUploadCommand');
        expect(aborts.map((s) => s.input)).to.deep.equal(failing === 'UploadPartCommand' ? [{ Bucket: 'b', Key: 'q/k.jsonl', UploadId: 'up-1' }] : []);
        expect(names(sent)).to.not.include('CompleteMultipartUploadCommand');
        await writer.write({ line: 1, reasons: ['x'] }).then(
          () => expect.fail('a write after the failure must throw'),
          (error: Error) => expect(error.message).to.equal('S3 says no'),
        );
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });
  }

  it('aborts the upload when CompleteMultipartUpload fails, and throws its error', async function () {
    const { s3, sent } = stubS3((s) => {
      if (s.name === 'CompleteMultipartUploadCommand') throw new Error('complete failed');
    });
    const writer = new QuarantineWriter(s3, 'b', 'q/k.jsonl', undefined, { partBytes: 100 });
    for (let i = 0; i < 10; i++) await writer.write({ line: i, reasons: ['bad'] });
    await writer.close().then(
      () => expect.fail('close must throw'),
      (error: Error) => expect(error.message).to.equal('complete failed'),
    );
    expect(names(sent).at(-1)).to.equal('AbortMultipartUploadCommand');
  });

  it('a PutObject failure (small quarantine) is thrown by close', async function () {
    const { s3 } = stubS3((s) => {
      if (s.name === 'PutObjectCommand') throw new Error('put failed');
    });
    const writer = new QuarantineWriter(s3, 'b', 'q/k.jsonl');
    await writer.write({ line: 1, reasons: ['bad'] });
    await writer.close().then(
      () => expect.fail('close must throw'),
      (error: Error) => expect(error.message).to.equal('put failed'),
    );
  });
});
