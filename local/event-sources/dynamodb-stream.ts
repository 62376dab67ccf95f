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
  /** Records older than this are not retried but given to onFailure; -1 = until they expire (24 h). */
  maximumRecordAgeSeconds: number;
  reportBatchItemFailures: boolean;
  invoke: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  /** Where records go that Lambda gave up on (the mapping's on-failure destination). */
  onFailure: (records: DynamoDBRecord[], failure: StreamFailure) => Promise<void>;
  now?: () => number;
}

export interface StreamFailure {
  condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
  reason: string;
  invocations: number;
  shardId?: string;
}

/** The invocation record Lambda sends to a stream mapping's on-failure destination: where the records are, not the records. */
export function failureInvocationRecord(records: DynamoDBRecord[], failure: StreamFailure, functionArn: string, streamArn: string, requestId: string, now = new Date()) {
  const created = records.map((r) => r.dynamodb?.ApproximateCreationDateTime).filter((t): t is number => t !== undefined);
  const iso = (seconds: number | undefined) => (seconds === undefined ? undefined : new Date(seconds * 1000).toISOString());
  return {
    requestContext: { requestId, functionArn, condition: failure.condition, approximateInvokeCount: failure.invocations },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: failure.condition === 'RetryAttemptsExhausted' ? 'Unhandled' : undefined },
    version: '1.0',
    timestamp: now.toISOString(),
    DDBStreamBatchInfo: {
      shardId: failure.shardId,
      startSequenceNumber: records[0]?.dynamodb?.SequenceNumber,
      endSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber,
      approximateArrivalOfFirstRecord: iso(created.length ? Math.min(...created) : undefined),
      approximateArrivalOfLastRecord: iso(created.length ? Math.max(...created) : undefined),
      batchSize: records.length,
      streamArn,
    },
  };
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
 * batch, split in halves when bisecting; after maximumRetryAttempts, or once older than
 * maximumRecordAgeSeconds, the records go to the on-failure destination and the shard moves on.
 * Returns how many invocations it took.
 */
export async function deliverBatch(records: DynamoDBRecord[], options: StreamMappingOptions): Promise<number> {
  let invocations = 0;
  const now = options.now ?? Date.now;
  const deliver = async (records: DynamoDBRecord[], attempt: number): Promise<void> => {
    // One clock reading per attempt: each record lands in exactly one of the two lists.
    const oldestAllowed = options.maximumRecordAgeSeconds >= 0 ? now() / 1000 - options.maximumRecordAgeSeconds : -Infinity;
    const expired = (record: DynamoDBRecord) => (record.dynamodb?.ApproximateCreationDateTime ?? Infinity) < oldestAllowed;
    const tooOld = records.filter(expired);
    if (tooOld.length > 0) await options.onFailure(tooOld, { condition: 'RecordAgeExceeded', reason: `older than ${options.maximumRecordAgeSeconds}s`, invocations });
    const batch = tooOld.length > 0 ? records.filter((r) => !expired(r)) : records;
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
      await options.onFailure(remaining, { condition: 'RetryAttemptsExhausted', reason, invocations });
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
        await deliverBatch(records, { ...options, onFailure: (failed, failure) => options.onFailure(failed, { ...failure, shardId }) });
        onBatch(records.length);
      }
    }
    if (received === 0) await new Promise((r) => setTimeout(r, 250));
  }
}
