import { expect } from 'chai';
import type { DynamoDBRecord } from 'aws-lambda';
import { deliverBatch, failureInvocationRecord, matchesFilter, type StreamFailure, type StreamMappingOptions } from '../../../local/event-sources/dynamodb-stream';

const records = (n: number): DynamoDBRecord[] => Array.from({ length: n }, (_, i) => ({ eventName: 'INSERT', dynamodb: { SequenceNumber: String(100 + i) } }));
const seqs = (batch: DynamoDBRecord[]) => batch.map((r) => r.dynamodb!.SequenceNumber);
const base = (overrides: Partial<StreamMappingOptions>): StreamMappingOptions => ({
  streamArn: 's',
  region: 'us-east-1',
  batchSize: 100,
  startingPosition: 'TRIM_HORIZON',
  filters: [],
  bisectOnError: false,
  maximumRetryAttempts: 2,
  maximumRecordAgeSeconds: -1,
  reportBatchItemFailures: true,
  invoke: async () => {},
  onFailure: async () => {},
  ...overrides,
});

describe('local DynamoDB stream delivery (Lambda semantics)', function () {
  it('retries from the lowest reported sequence number, successes after it included', async function () {
    const seen: (string | undefined)[][] = [];
    let first = true;
    await deliverBatch(records(4), base({
      invoke: async (event) => {
        seen.push(seqs(event.Records));
        if (!first) return;
        first = false;
        return { batchItemFailures: [{ itemIdentifier: '103' }, { itemIdentifier: '101' }] };
      },
    }));
    expect(seen).to.deep.equal([['100', '101', '102', '103'], ['101', '102', '103']]);
  });

  it('bisects a failing batch and sends what still fails to the on-failure destination', async function () {
    const parked: (string | undefined)[] = [];
    const invocations = await deliverBatch(records(4), base({
      bisectOnError: true,
      maximumRetryAttempts: 3,
      invoke: async (event) => {
        if (seqs(event.Records).includes('102')) throw new Error('poison');
      },
      onFailure: async (batch) => void parked.push(...seqs(batch)),
    }));
    expect(parked).to.deep.equal(['102']);
    expect(invocations).to.be.greaterThan(3);
  });

  it('treats an unknown identifier as a whole-batch failure', async function () {
    const parked: (string | undefined)[] = [];
    await deliverBatch(records(2), base({ maximumRetryAttempts: 0, invoke: async () => ({ batchItemFailures: [{ itemIdentifier: 'nope' }] }), onFailure: async (b) => void parked.push(...seqs(b)) }));
    expect(parked).to.deep.equal(['100', '101']);
  });

  it('gives up on records older than the age limit without invoking for them, and delivers the rest', async function () {
    const batch = records(3).map((r, i) => ({ ...r, dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: i === 0 ? 1_000 : 4_000 } }));
    const delivered: (string | undefined)[] = [];
    const failures: [string | undefined, StreamFailure['condition']][] = [];
    await deliverBatch(batch, base({
      maximumRecordAgeSeconds: 3_600,
      now: () => 5_000_000,
      invoke: async (event) => void delivered.push(...seqs(event.Records)),
      onFailure: async (failed, failure) => void failures.push(...failed.map((r) => [r.dynamodb?.SequenceNumber, failure.condition] as [string | undefined, StreamFailure['condition']])),
    }));
    expect(failures).to.deep.equal([['100', 'RecordAgeExceeded']]);
    expect(delivered).to.deep.equal(['101', '102']);
  });

  it('describes what it gave up on the way Lambda does for an on-failure destination', function () {
    const batch = records(3).map((r, i) => ({ ...r, dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: 1_700_000_000 + i } }));
    const record = failureInvocationRecord(batch, { condition: 'RetryAttemptsExhausted', reason: 'poison', invocations: 4, shardId: 'shard-1' }, 'arn:fn', 'arn:stream', 'req-1');
    expect(record.requestContext).to.deep.equal({ requestId: 'req-1', functionArn: 'arn:fn', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 });
    expect(record.DDBStreamBatchInfo).to.deep.equal({
      shardId: 'shard-1',
      startSequenceNumber: '100',
      endSequenceNumber: '102',
      approximateArrivalOfFirstRecord: '2023-11-14T22:13:20.000Z',
      approximateArrivalOfLastRecord: '2023-11-14T22:13:22.000Z',
      batchSize: 3,
      streamArn: 'arn:stream',
    });
  });

  it('applies event filter patterns', function () {
    expect(matchesFilter({ eventName: ['INSERT', 'MODIFY'] }, { eventName: 'MODIFY' })).to.equal(true);
    expect(matchesFilter({ eventName: ['INSERT', 'MODIFY'] }, { eventName: 'REMOVE' })).to.equal(false);
    expect(matchesFilter({ dynamodb: { NewImage: { kind: { S: ['note'] } } } }, { dynamodb: { NewImage: { kind: { S: 'note' } } } })).to.equal(true);
  });
});
