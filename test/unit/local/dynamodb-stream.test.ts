import { expect } from 'chai';
import type { DynamoDBRecord } from 'aws-lambda';
import { deliverBatch, matchesFilter, type StreamMappingOptions } from '../../../local/event-sources/dynamodb-stream';

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

  it('applies event filter patterns', function () {
    expect(matchesFilter({ eventName: ['INSERT', 'MODIFY'] }, { eventName: 'MODIFY' })).to.equal(true);
    expect(matchesFilter({ eventName: ['INSERT', 'MODIFY'] }, { eventName: 'REMOVE' })).to.equal(false);
    expect(matchesFilter({ dynamodb: { NewImage: { kind: { S: ['note'] } } } }, { dynamodb: { NewImage: { kind: { S: 'note' } } } })).to.equal(true);
  });
});
