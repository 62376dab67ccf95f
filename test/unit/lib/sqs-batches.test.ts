import { expect } from 'chai';
import { batchEntries, messageBytes, SQS_MAX_BATCH_BYTES } from '../../../functions/lib/sqs-batches';

const entry = (id: string, body: string, attributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }>) => ({
  Id: id,
  MessageBody: body,
  MessageAttributes: attributes,
});

describe('sqs-batches', function () {
  describe('messageBytes (what SQS counts)', function () {
    it('counts the body in UTF-8 bytes, not characters', function () {
      expect(messageBytes(entry('a', 'abc'))).to.equal(3);
      expect(messageBytes(entry('a', 'é東😀'))).to.equal(2 + 3 + 4);
    });
    it('adds every attribute: name, data type and value', function () {
      const bytes = messageBytes(entry('a', 'x', { apiRequestId: { DataType: 'String', StringValue: 'q1' }, blob: { DataType: 'Binary', BinaryValue: new Uint8Array(5) } }));
      expect(bytes).to.equal(1 + ('apiRequestId'.length + 'String'.length + 2) + ('blob'.length + 'Binary'.length + 5));
    });
  });

  describe('batchEntries', function () {
    it('puts five 250 KB messages in requests of at most 1 MiB (4 + 1), not one request of 10', function () {
      const entries = Array.from({ length: 5 }, (_, i) => entry(String(i), 'x'.repeat(250_000)));
      const { batches, tooLarge } = batchEntries(entries);
      expect(batches.map((b) => b.map((e) => e.Id))).to.deep.equal([['0', '1', '2', '3'], ['4']]);
      expect(tooLarge).to.deep.equal([]);
      for (const batch of batches) expect(batch.reduce((sum, e) => sum + messageBytes(e), 0)).to.be.at.most(SQS_MAX_BATCH_BYTES);
    });

    it('counts attributes and multi-byte characters against the request limit', function () {
      // 200,000 characters of 3 bytes each: 600,000 bytes, so two do not fit one request.
      const wide = '東'.repeat(200_000);
      expect(batchEntries([entry('a', wide), entry('b', wide)]).batches).to.have.length(2);
      // Exactly 1 MiB with the attribute fits; one byte more does not.
      const attribute = { k: { DataType: 'String', StringValue: 'v' } }; // 1 + 6 + 1 = 8 bytes
      const half = SQS_MAX_BATCH_BYTES / 2 - 8;
      expect(batchEntries([entry('a', 'x'.repeat(half), attribute), entry('b', 'x'.repeat(half), attribute)]).batches).to.have.length(1);
      expect(batchEntries([entry('a', 'x'.repeat(half + 1), attribute), entry('b', 'x'.repeat(half), attribute)]).batches).to.have.length(2);
    });

    it('never puts more than 10 entries in a request, and keeps the order', function () {
      const entries = Array.from({ length: 23 }, (_, i) => entry(String(i), 'small'));
      const { batches } = batchEntries(entries);
      expect(batches.map((b) => b.length)).to.deep.equal([10, 10, 3]);
      expect(batches.flat().map((e) => e.Id)).to.deep.equal(entries.map((e) => e.Id));
    });

    it("sets aside what is larger than the destination's MaximumMessageSize, with its size and the limit", function () {
      const big = entry('big', 'x'.repeat(262_145));
      const { batches, tooLarge } = batchEntries([entry('a', 'ok'), big, entry('b', 'ok')], { maxMessageBytes: 262_144 });
      expect(batches.map((b) => b.map((e) => e.Id))).to.deep.equal([['a', 'b']]);
      expect(tooLarge).to.deep.equal([{ entry: big, bytes: 262_145, limit: 262_144 }]);
    });

    it('returns no batch for no entries', function () {
      expect(batchEntries([])).to.deep.equal({ batches: [], tooLarge: [] });
    });
  });
});
