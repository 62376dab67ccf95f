import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export interface StreamMappingOptions {
  streamArn: string;
  region: string;
  batchSize: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** Lambda filter patterns (the subset this runtime understands: values listed per key, nested). */
  filters: object[];
  bisectOnError: boolean;
  /** -1 = until the records expire. */
  maximumRetryAttempts: number;
  reportBatchItemFailures: boolean;
  invoke: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  /** Where a batch goes after its retries (the mapping's on-failure destination). */
  onFailure: (records: DynamoDBRecord[], reason: string) => Promise<void>;
}

/** Lambda's event filtering: every key of the pattern must match; a list means "one of". */
export function matchesFilter(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((p) => (typeof p === 'object' && p !== null ? matchesFilter(p, value) : p === value));
  if (pattern && typeof pattern === 'object') {
    if (!value || typeof value !== 'object') return false;
    return Object.entries(pattern).every(([key, sub]) => matchesFilter(sub, (value as Record<string, unknown>)[key]));
  }
  return pattern === value;
}

export function toLambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(record.dynamodb as DynamoDBRecord['dynamodb']),
      ApproximateCreationDateTime: record.dynamodb?.ApproximateCreationDateTime ? record.dynamodb.ApproximateCreationDateTime.getTime() / 1000 : undefined,
    },
  };
}

/**
 * Delivers one batch the way Lambda does for streams: on a partial failure it retries from the
 * lowest failed sequence number (successes after it included); on a function error it retries the
 * batch, split in halves when bisecting; after maximumRetryAttempts the records go to the on-failure
 * destination and the shard moves on. Returns how many invocations it took.
 */
export async function deliverBatch(records: DynamoDBRecord[], options: StreamMappingOptions): Promise<number> {
  let invocations = 0;
  const deliver = async (batch: DynamoDBRecord[], attempt: number): Promise<void> => {
    if (batch.length === 0) return;
    invocations += 1;
    let failedFrom = -1;
    let reason = '';
    try {
      const response = await options.invoke({ Records: batch });
      const failures = options.reportBatchItemFailures ? (response?.batchItemFailures ?? []) : [];
      if (failures.length > 0) {
        const indexes = failures.map((f) => batch.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier));
        failedFrom = indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
        reason = 'reported batch item failures';
      }
    } catch (error) {
      failedFrom = 0;
      reason = (error as Error).message;
    }
    if (failedFrom < 0) return;
    const remaining = batch.slice(failedFrom);
    if (options.maximumRetryAttempts >= 0 && attempt >= options.maximumRetryAttempts) {
      await options.onFailure(remaining, reason);
      return;
    }
    if (options.bisectOnError && failedFrom === 0 && remaining.length > 1) {
      const half = Math.ceil(remaining.length / 2);
      await deliver(remaining.slice(0, half), attempt + 1);
      await deliver(remaining.slice(half), attempt + 1);
      return;
    }
    await deliver(remaining, attempt + 1);
  };
  await deliver(records, 0);
  return invocations;
}

/** Polls every shard of a stream until the signal aborts. */
export async function runStreamMapping(client: DynamoDBStreamsClient, options: StreamMappingOptions, signal: AbortSignal, onBatch: (records: number) => void = () => {}): Promise<void> {
  const iterators = new Map<string, string | undefined>();
  while (!signal.aborted) {
    const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamArn: options.streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!iterators.has(shard.ShardId!)) {
        const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamArn: options.streamArn, ShardId: shard.ShardId!, ShardIteratorType: options.startingPosition }));
        iterators.set(shard.ShardId!, ShardIterator);
      }
    }
    let received = 0;
    for (const [shardId, iterator] of iterators) {
      if (!iterator || signal.aborted) continue;
      const { Records = [], NextShardIterator } = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: options.batchSize }));
      iterators.set(shardId, NextShardIterator);
      const records = Records.map((r) => toLambdaRecord(r, options.streamArn, options.region)).filter((r) => options.filters.length === 0 || options.filters.some((f) => matchesFilter(f, r)));
      received += Records.length;
      if (records.length > 0) {
        await deliverBatch(records, options);
        onBatch(records.length);
      }
    }
    if (received === 0) await new Promise((r) => setTimeout(r, 250));
  }
}
