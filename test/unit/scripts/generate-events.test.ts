import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { FirehoseClient, PutRecordBatchCommand, type PutRecordBatchCommandInput } from '@aws-sdk/client-firehose';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { deduplicationId, parseEventBytes } from '../../../functions/streaming-events/event';
import { countRecords, firehoseChunks, generateEvents, INVALID_KINDS, sendViaFirehose, sendViaSqs, type GenerateOptions } from '../../../scripts/lib/generate-events';

const options: GenerateOptions = { count: 1000, invalidShare: 0.02, duplicateShare: 0.01, sameMillisecondShare: 0.05, seed: 7, start: new Date('2026-11-23T10:00:00.000Z') };

describe('generate-events', function () {
  describe('generation', function () {
    const records = generateEvents(options);

    it('is deterministic for a seed and start', function () {
      const again = generateEvents(options);
      expect(again.map((r) => r.data.toString('base64'))).to.deep.equal(records.map((r) => r.data.toString('base64')));
      expect(generateEvents({ ...options, seed: 8 })[0]!.data.equals(records[0]!.data)).to.equal(false);
    });

    it('has exactly the shares asked for', function () {
      expect(countRecords(records)).to.deep.include({ total: 1000, invalid: 20, duplicates: 10, valid: 970 });
    });

    it('every valid record and duplicate is a valid event; every invalid one is refused, each kind in turn', function () {
      for (const record of records) {
        const parsed = parseEventBytes(record.data);
        expect(parsed.ok, `${record.kind} ${record.invalid ?? ''} ${parsed.ok ? '' : parsed.reason}`).to.equal(record.kind !== 'invalid');
      }
      expect(new Set(records.map((r) => r.invalid).filter(Boolean))).to.deep.equal(new Set(INVALID_KINDS));
    });

    it('duplicates repeat an earlier valid record byte for byte', function () {
      records.forEach((record, i) => {
        if (record.kind !== 'duplicate') return;
        expect(records.slice(0, i).some((r) => r.kind === 'valid' && r.data.equals(record.data))).to.equal(true);
      });
    });

    it('carries non-ASCII text, and events of one entity in the same millisecond', function () {
      const valid = records.filter((r) => r.kind === 'valid');
      expect(valid.filter((r) => !r.data.every((b) => b < 0x80)).length).to.be.greaterThan(valid.length * 0.9);
      const keys = valid.map((r) => JSON.parse(r.data.toString()) as { entityId: string; occurredAt: string });
      const seen = new Set<string>();
      let same = 0;
      for (const k of keys) {
        const key = `${k.entityId}@${k.occurredAt}`;
        if (seen.has(key)) same += 1;
        seen.add(key);
      }
      expect(same).to.be.greaterThan(10);
      expect(new Set(valid.map((r) => r.eventId)).size).to.equal(valid.length);
    });

    it('for the queue: only text that SQS can carry (no invalid UTF-8, nothing over the queue limit)', function () {
      const text = generateEvents({ ...options, textOnly: true });
      expect(text.some((r) => r.invalid === 'not-utf8' || r.invalid === 'too-large')).to.equal(false);
      expect(countRecords(text).invalid).to.equal(20);
    });
  });

  describe('sending through Firehose', function () {
    const firehose = mockClient(FirehoseClient);
    const calls = () => firehose.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input.Records!);
    beforeEach(function () {
      firehose.reset();
      firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => ({ FailedPutCount: 0, RequestResponses: input.Records!.map((_, i) => ({ RecordId: `id-${i}` })) }));
    });

    it('cuts calls at 500 records and at 4 MiB', function () {
      const small = generateEvents({ ...options, count: 1200, invalidShare: 0, duplicateShare: 0 });
      expect(firehoseChunks(small).chunks.map((c) => c.length)).to.deep.equal([500, 500, 200]);
      const big = Array.from({ length: 10 }, () => ({ data: Buffer.alloc(900 * 1024, 0x61), kind: 'valid' as const }));
      expect(firehoseChunks(big).chunks.map((c) => c.length)).to.deep.equal([4, 4, 2]);
      expect(firehoseChunks([{ data: Buffer.alloc(1_024_001), kind: 'invalid' }]).refused[0]!.reason).to.include('over Firehose');
    });

    it('retries only the records of FailedPutCount, then counts what is still refused', async function () {
      const records = generateEvents({ ...options, count: 5, invalidShare: 0, duplicateShare: 0 });
      let call = 0;
      firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => {
        call += 1;
        // Record 1 fails once; record 3 always.
        return {
          FailedPutCount: 1,
          RequestResponses: input.Records!.map((r) => {
            const failing = r.Data === records[3]!.data || (call === 1 && r.Data === records[1]!.data);
            return failing ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'slow down' } : { RecordId: 'ok' };
          }),
        };
      });
      const summary = await sendViaFirehose(new FirehoseClient({}), 'events', records, { sleep: async () => {}, maxAttempts: 3 });
      expect(calls().map((c) => c.length)).to.deep.equal([5, 2, 1]);
      expect(summary).to.deep.include({ sent: 4, refused: 1, retries: 3, calls: 3 });
      expect(summary.reasons).to.deep.equal(['Firehose refused the record: ServiceUnavailableException (slow down)']);
    });

    it('keeps to the rate: one second of records per call, calls spaced by the clock', async function () {
      let clock = 0;
      const waits: number[] = [];
      const records = generateEvents({ ...options, count: 250, invalidShare: 0, duplicateShare: 0 });
      const progress: number[] = [];
      const summary = await sendViaFirehose(new FirehoseClient({}), 'events', records, {
        rate: 100,
        now: () => clock,
        sleep: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
        onProgress: (p) => void progress.push(p.sent),
      });
      expect(calls().map((c) => c.length)).to.deep.equal([100, 100, 50]);
      expect(waits).to.deep.equal([1000, 1000]);
      expect(progress).to.deep.equal([100, 200, 250]);
      expect(summary).to.deep.include({ sent: 250, refused: 0, elapsedMs: 2000 });
    });
  });

  describe('sending to the FIFO queue', function () {
    const sqs = mockClient(SQSClient);
    beforeEach(function () {
      sqs.reset();
      sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({ Successful: input.Entries!.map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: '' })), Failed: [] }));
    });

    it('groups by entity and deduplicates by the record hash, as the transformer does; an unreadable record gets a group of its own', async function () {
      const records = generateEvents({ ...options, count: 60, invalidShare: 0.1, textOnly: true });
      const summary = await sendViaSqs(new SQSClient({}), 'https://sqs/q.fifo', records, { sleep: async () => {} });
      expect(summary).to.deep.include({ sent: 60, refused: 0 });
      const entries = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries!);
      expect(entries.map((e) => e.MessageDeduplicationId)).to.deep.equal(records.map((r) => deduplicationId(r.data)));
      entries.forEach((entry, i) => {
        const record = records[i]!;
        if (record.kind !== 'invalid') expect(entry.MessageGroupId).to.equal(record.entityId);
        else expect(entry.MessageGroupId).to.match(/^(order-\d+|invalid-records)$/);
      });
    });

    it("a sender-fault refusal is not retried; SQS's own failure is", async function () {
      const records = generateEvents({ ...options, count: 2, invalidShare: 0, duplicateShare: 0 });
      sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
        Successful: [],
        Failed: input.Entries!.map((e) => ({ Id: e.Id, Code: e.Id === '0' ? 'InvalidMessageContents' : 'InternalError', SenderFault: e.Id === '0' })),
      }));
      const summary = await sendViaSqs(new SQSClient({}), 'https://sqs/q.fifo', records, { sleep: async () => {}, maxAttempts: 3 });
      expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.map((e) => e.Id))).to.deep.equal([['0', '1'], ['1'], ['1']]);
      expect(summary).to.deep.include({ sent: 0, refused: 2 });
    });
  });
});
