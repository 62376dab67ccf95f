import { expect } from 'chai';
import { gunzipSync } from 'node:zlib';
import type { DeliveryStreamDescription } from '@aws-sdk/client-firehose';
import type { InvokeResult } from '../../../local/functions/runner';
import { LocalDeliveryStream, type DeliveryStreamConfig, type PendingRecord } from '../../../local/firehose/delivery';
import { deliveryStreamConfig } from '../../../local/firehose/describe';
import { parseFirehoseHandOff } from '../../../local/firehose/index';
import { dataPrefixTemplate, errorPrefixTemplate, evaluatePrefix, formatTimestamp, InvalidPrefixError, objectKey } from '../../../local/firehose/prefix';
import { processBatch, type FirehoseRecord } from '../../../local/firehose/processor';

const T0 = Date.parse('2026-11-23T09:05:07Z');
const record = (id: string, text: string, at = T0): PendingRecord => ({ recordId: id, data: Buffer.from(text), approximateArrivalTimestamp: at });

/** A processor like functions/streaming-events' transformer: "bad" records fail, "skip" ones are dropped, the rest upper-cased with a newline. */
function transformer(calls: unknown[] = []) {
  return async (_arn: string, event: unknown): Promise<InvokeResult> => {
    calls.push(event);
    const { records } = event as { records: { recordId: string; data: string }[] };
    return {
      ok: true,
      payload: {
        records: records.map(({ recordId, data }) => {
          const text = Buffer.from(data, 'base64').toString('utf8');
          if (text.startsWith('bad')) return { recordId, result: 'ProcessingFailed', data };
          if (text.startsWith('skip')) return { recordId, result: 'Dropped', data };
          return { recordId, result: 'Ok', data: Buffer.from(`${text.toUpperCase()}\n`).toString('base64') };
        }),
      },
    };
  };
}

describe('local Firehose: S3 prefixes', function () {
  it('evaluates timestamp expressions (Java DateTimeFormatter letters, quotes) at the oldest arrival time', function () {
    expect(evaluatePrefix('lake/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/', { arrival: T0 })).to.equal('lake/year=2026/month=11/day=23/hour=09/');
    expect(formatTimestamp("yy-M-d'T'HH:mm:ss", T0)).to.equal('26-11-23T09:05:07');
    expect(() => formatTimestamp('yyyy-ww', T0)).to.throw(InvalidPrefixError, "'w'");
  });

  it('evaluates firehose expressions; error-output-type only in the error prefix', function () {
    expect(evaluatePrefix('errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/', { arrival: T0, errorOutputType: 'processing-failed' })).to.equal('errors/processing-failed/2026/11/23/');
    expect(evaluatePrefix('x/!{firehose:random-string}/', { arrival: T0, randomString: () => 'abcdefghijk' })).to.equal('x/abcdefghijk/');
    expect(evaluatePrefix('!{firehose:random-string}', { arrival: T0 })).to.match(/^[a-z0-9]{11}$/);
    expect(() => evaluatePrefix('!{firehose:error-output-type}/', { arrival: T0 })).to.throw(InvalidPrefixError);
    expect(() => evaluatePrefix('!{partitionKeyFromQuery:customer}/', { arrival: T0 })).to.throw(InvalidPrefixError, 'dynamic partitioning');
  });

  it('applies the default time prefix and the default error prefix', function () {
    expect(evaluatePrefix(dataPrefixTemplate(undefined), { arrival: T0 })).to.equal('2026/11/23/09/');
    expect(evaluatePrefix(dataPrefixTemplate('raw/'), { arrival: T0 })).to.equal('raw/2026/11/23/09/');
    expect(dataPrefixTemplate('raw/!{timestamp:yyyy}/')).to.equal('raw/!{timestamp:yyyy}/');
    expect(evaluatePrefix(errorPrefixTemplate(undefined), { arrival: T0, errorOutputType: 'processing-failed' })).to.equal('processing-failed/2026/11/23/09/');
    expect(objectKey('raw/', 'events', '1', T0, 'u-1')).to.equal('raw/events-1-2026-11-23-09-05-07-u-1');
  });
});

describe('local Firehose: the processor call', function () {
  const options = (invoke: (arn: string, event: unknown) => Promise<InvokeResult>) => ({
    lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:transformer',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/events',
    region: 'us-east-1',
    numberOfRetries: 2,
    invoke,
    now: () => T0 + 1_000,
  });

  it('sends the documented event shape and sorts records by result', async function () {
    const calls: unknown[] = [];
    const records = [record('1', 'héllo'), record('2', 'skip me'), record('3', 'bad one')];
    const result = await processBatch(records, options(transformer(calls)));
    expect(calls[0]).to.deep.include({ deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/events', region: 'us-east-1' });
    expect((calls[0] as { invocationId: string }).invocationId).to.match(/^[0-9a-f-]{36}$/);
    expect((calls[0] as { records: unknown[] }).records[0]).to.deep.equal({ recordId: '1', approximateArrivalTimestamp: T0, data: Buffer.from('héllo').toString('base64') });
    expect(result.ok.map((o) => o.data.toString())).to.deep.equal(['HÉLLO\n']);
    expect(result.dropped.map((r) => r.recordId)).to.deep.equal(['2']);
    expect(result.failed.map((f) => f.failure)).to.deep.equal([
      { attemptsMade: 1, arrivalTimestamp: T0, errorCode: 'Lambda.ProcessingFailedStatus', errorMessage: 'ProcessingFailed status set for record', attemptEndingTimestamp: T0 + 1_000, rawData: Buffer.from('bad one').toString('base64'), lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:transformer' },
    ]);
  });

  it('retries a failing invocation NumberOfRetries times, then fails every record of the batch', async function () {
    let calls = 0;
    const result = await processBatch([record('1', 'a'), record('2', 'b')], options(async () => (calls++, { ok: false, errorType: 'Error', errorMessage: 'queue refused' })));
    expect(calls).to.equal(3);
    expect(result.ok).to.deep.equal([]);
    expect(result.failed.map((f) => [f.record.recordId, f.failure.errorCode, f.failure.attemptsMade])).to.deep.equal([
      ['1', 'Lambda.FunctionError', 3],
      ['2', 'Lambda.FunctionError', 3],
    ]);
    expect(result.failed[0]!.failure.errorMessage).to.equal('Error: queue refused');
  });

  it('treats an answer that misses, repeats or invents a record id as a failed invocation', async function () {
    const answer = (records: object[]) => options(async () => ({ ok: true, payload: { records } }));
    const codeOf = async (records: object[]) => (await processBatch([record('1', 'a'), record('2', 'b')], answer(records))).failed[0]?.failure.errorCode;
    const ok = (id: string) => ({ recordId: id, result: 'Ok', data: 'QQ==' });
    expect(await codeOf([ok('1')])).to.equal('Lambda.MissingRecordId');
    expect(await codeOf([ok('1'), ok('1'), ok('2')])).to.equal('Lambda.DuplicatedRecordId');
    expect(await codeOf([ok('1'), ok('2'), ok('3')])).to.equal('Lambda.MissingRecordId');
    expect(await codeOf([ok('1'), { recordId: '2', result: 'Maybe' }])).to.equal('Lambda.JsonProcessingException');
    expect(await codeOf([ok('1'), { recordId: '2', result: 'Ok' }])).to.equal('Lambda.JsonProcessingException');
    expect(await codeOf([ok('1'), ok('2')])).to.equal(undefined);
  });
});

describe('local Firehose: buffering and S3 writes', function () {
  const MiB = 1024 * 1024;
  function stream(overrides: Partial<DeliveryStreamConfig> = {}, invoke = transformer()) {
    let time = T0;
    const objects: { bucket: string; key: string; body: Buffer }[] = [];
    const config: DeliveryStreamConfig = {
      name: 'events',
      arn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/events',
      version: '1',
      bucket: 'lake',
      prefix: 'events/!{timestamp:yyyy/MM/dd/HH}/',
      errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
      compression: 'UNCOMPRESSED',
      buffering: { sizeBytes: 1 * MiB, intervalMs: 60_000 },
      processor: { lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:transformer', numberOfRetries: 3, buffering: { sizeBytes: 1 * MiB, intervalMs: 10_000 } },
      ...overrides,
    };
    const delivery = new LocalDeliveryStream(config, {
      putObject: async (bucket, key, body) => void objects.push({ bucket, key, body }),
      invoke,
      now: () => time,
      region: 'us-east-1',
      log: () => {},
    });
    return { delivery, objects, advance: (ms: number) => (time += ms) };
  }

  it('holds records until the processor interval, then the S3 interval, then writes one object per flush', async function () {
    const settled: string[] = [];
    const { delivery, objects, advance } = stream();
    const withSettle = (r: PendingRecord) => ({ ...r, settle: () => settled.push(r.recordId) });
    await delivery.put([withSettle(record('1', 'a')), withSettle(record('2', 'skip')), withSettle(record('3', 'bad'))]);
    advance(9_000);
    await delivery.tick();
    expect([objects.length, delivery.pending]).to.deep.equal([0, 3]);
    advance(1_000);
    await delivery.tick();
    // Processed: the failure is written at once, the drop is settled, the Ok record waits for the S3 interval.
    expect(objects.map((o) => o.key.replace(/-[0-9a-f-]{36}$/, ''))).to.deep.equal(['errors/processing-failed/2026/11/23/events-1-2026-11-23-09-05-17']);
    expect(JSON.parse(objects[0]!.body.toString().trim())).to.include({ errorCode: 'Lambda.ProcessingFailedStatus', rawData: Buffer.from('bad').toString('base64') });
    expect(settled).to.deep.equal(['2', '3']);
    await delivery.put([withSettle(record('4', 'b', T0 + 10_000))]);
    advance(49_000);
    await delivery.tick();
    // Record 4 went through the processor; the S3 buffer's oldest record (1) is 59 s old: nothing written yet.
    expect([objects.length, delivery.pending]).to.deep.equal([1, 2]);
    advance(1_000);
    await delivery.tick();
    expect(objects).to.have.length(2);
    expect(objects[1]!.key).to.match(/^events\/2026\/11\/23\/09\/events-1-2026-11-23-09-06-07-[0-9a-f-]{36}$/);
    expect(objects[1]!.body.toString()).to.equal('A\nB\n');
    expect(settled).to.deep.equal(['2', '3', '1', '4']);
    expect(delivery.stats).to.deep.equal({ received: 4, delivered: 2, dropped: 1, failed: 1, objects: 1, errorObjects: 1 });
  });

  it('writes as soon as a buffer reaches its size, in objects no larger than the size hint', async function () {
    const { delivery, objects } = stream({ processor: undefined, buffering: { sizeBytes: 10, intervalMs: 300_000 } });
    await delivery.put([record('1', '1234'), record('2', '5678')]);
    expect(objects).to.deep.equal([]);
    await delivery.put([record('3', '90ab'), record('4', 'cd')]);
    expect(objects.map((o) => o.body.toString())).to.deep.equal(['12345678']);
    await delivery.flush();
    expect(objects.map((o) => o.body.toString())).to.deep.equal(['12345678', '90abcd']);
    expect(objects[0]!.key).to.match(/^events\/2026\/11\/23\/09\//);
  });

  it('gzips when the destination compresses', async function () {
    const { delivery, objects } = stream({ processor: undefined, compression: 'GZIP' });
    await delivery.put([record('1', 'zoë')]);
    await delivery.flush();
    expect(objects[0]!.key).to.match(/\.gz$/);
    expect(gunzipSync(objects[0]!.body).toString()).to.equal('zoë');
  });

  it('keeps the records when S3 refuses, and writes them on the next tick', async function () {
    let refuse = true;
    const written: string[] = [];
    const config = stream({ processor: undefined }).delivery.config;
    const delivery = new LocalDeliveryStream(config, {
      putObject: async (_b, _k, body) => {
        if (refuse) throw new Error('SlowDown');
        written.push(body.toString());
      },
      invoke: transformer(),
      now: () => T0,
      region: 'us-east-1',
      log: () => {},
    });
    await delivery.put([record('1', 'x')]);
    await delivery.flush();
    expect([written.length, delivery.pending]).to.deep.equal([0, 1]);
    refuse = false;
    await delivery.flush();
    expect(written).to.deep.equal(['x']);
  });
});

describe('local Firehose: configuration from DescribeDeliveryStream', function () {
  const description = (s3: object): DeliveryStreamDescription =>
    ({ DeliveryStreamName: 'events', DeliveryStreamARN: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/events', VersionId: '3', Destinations: [{ DestinationId: 'd', ExtendedS3DestinationDescription: s3 }] }) as DeliveryStreamDescription;

  it('reads the bucket, prefixes, buffering hints and the Lambda processor with Firehose defaults', function () {
    const config = deliveryStreamConfig(
      description({
        BucketARN: 'arn:aws:s3:::lake',
        Prefix: 'events/',
        ErrorOutputPrefix: 'errors/',
        BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 60 },
        ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'Lambda', Parameters: [{ ParameterName: 'LambdaArn', ParameterValue: 'arn:aws:lambda:us-east-1:123456789012:function:t' }, { ParameterName: 'NumberOfRetries', ParameterValue: '2' }] }] },
      }),
    );
    expect(config).to.deep.equal({
      name: 'events',
      arn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/events',
      version: '3',
      bucket: 'lake',
      prefix: 'events/',
      errorOutputPrefix: 'errors/',
      compression: 'UNCOMPRESSED',
      buffering: { sizeBytes: 64 * 1024 * 1024, intervalMs: 60_000 },
      processor: { lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:t', numberOfRetries: 2, buffering: { sizeBytes: 1024 * 1024, intervalMs: 60_000 } },
    });
  });

  it('reads a plain S3 destination (no processor)', function () {
    const plain = { DeliveryStreamName: 'raw', DeliveryStreamARN: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/raw', VersionId: '1', Destinations: [{ DestinationId: 'd', S3DestinationDescription: { BucketARN: 'arn:aws:s3:::lake', BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } } }] } as DeliveryStreamDescription;
    const config = deliveryStreamConfig(plain);
    expect(config).to.deep.include({ bucket: 'lake', prefix: undefined, buffering: { sizeBytes: 1024 * 1024, intervalMs: 60_000 } });
    expect(config).to.not.have.property('processor');
  });

  it('says why it cannot run a stream', function () {
    expect(deliveryStreamConfig(description({}))).to.have.property('problem').that.includes('S3');
    expect(deliveryStreamConfig(description({ BucketARN: 'arn:aws:s3:::lake', CompressionFormat: 'Snappy' }))).to.have.property('problem').that.includes('Snappy');
  });

  it('parses the shim hand-off', function () {
    const batch = parseFirehoseHandOff(JSON.stringify({ deliveryStreamName: 'events', records: [{ recordId: 'r', data: Buffer.from('é').toString('base64'), approximateArrivalTimestamp: T0 }] }));
    expect((batch.records[0] as FirehoseRecord).data.toString()).to.equal('é');
    expect(() => parseFirehoseHandOff('{"deliveryStreamName": "x", "records": [{"recordId": 1}]}')).to.throw('record 0');
  });
});
