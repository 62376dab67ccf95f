import { expect } from 'chai';
import contract from '../../../functions/streaming-events/contract.json';
import { EVENT_TYPES } from '../../../functions/streaming-events/event';

// What Terraform will read from the contract (table keys, prefixes, bus source, the consumer's rule).
describe('streaming events: contract', function () {
  it("the consumer's detail-type is one of the event types (the detail-types on the bus)", function () {
    expect(EVENT_TYPES).to.include(contract.consumer.detailType);
    expect(contract.eventBridge.detailTypeField).to.equal('eventType');
  });

  it('the table keys are the partition key and the sort key the storer writes', function () {
    expect(contract.table.partitionKey).to.equal(contract.queue.messageGroupIdField);
    expect(contract.table.sortKeyFormat).to.equal('<occurredAt>#<eventId>');
  });

  it('lake prefixes: distinct, ending in "/", time-partitioned; the error prefix names the error type (Firehose requires it once the prefix uses expressions)', function () {
    const { prefix, errorOutputPrefix } = contract.lake;
    expect(prefix).to.not.equal(errorOutputPrefix);
    expect(prefix.split('/')[0]).to.not.equal(errorOutputPrefix.split('/')[0]);
    for (const p of [prefix, errorOutputPrefix]) expect(p).to.match(/\/$/).and.include('!{timestamp:yyyy}');
    expect(errorOutputPrefix).to.include('!{firehose:error-output-type}');
  });

  it('the bus source is one a custom bus accepts (not aws.*)', function () {
    expect(contract.eventBridge.source).to.match(/^[a-z0-9.-]+$/).and.not.match(/^aws\./);
  });

  it('the event limit fits the FIFO queue Terraform creates (262,144 bytes) and a DynamoDB item (400 KB)', function () {
    expect(contract.limits.maxEventBytes).to.be.at.most(262_144);
  });
});
