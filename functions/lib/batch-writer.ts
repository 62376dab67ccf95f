import { BatchWriteItemCommand, type AttributeValue, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { backoffDelay, sleep as realSleep } from './backoff';

export const MAX_BATCH = 25;
const RETRYABLE_ERRORS = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'InternalServerError', 'ServiceUnavailable']);

export interface BatchWriterOptions {
  tableName: string;
  /** Attribute names of the table key: two rows with the same key in one call are refused by DynamoDB. */
  keyAttributes: readonly string[];
  /** BatchWriteItem calls in flight at once. */
  concurrency?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Turns an item into DynamoDB's wire shape (default marshall); a caller that knows its items' shape can do it faster. */
  marshall?: (item: PlainItem) => Record<string, AttributeValue>;
}

export interface BatchWriterStats {
  items: number;
  calls: number;
  retries: number;
}

export type PlainItem = Record<string, string | number | boolean>;

/**
 * Writes items with BatchWriteItem, 25 per call and several calls in flight. UnprocessedItems and
 * throttling errors are retried with exponential backoff and full jitter; an item still unwritten
 * after maxAttempts fails the whole load (the caller's message is retried, and writes are idempotent
 * puts of deterministic keys).
 */
export class BatchWriter {
  readonly stats: BatchWriterStats = { items: 0, calls: 0, retries: 0 };
  private batch = new Map<string, WriteRequest>();
  // An array, not a Set: a long-lived Set reallocates its table in the old generation as calls come and go.
  private readonly inFlight: Promise<void>[] = [];
  private failure: Error | undefined;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly options: BatchWriterOptions,
  ) {}

  async put(item: PlainItem): Promise<void> {
    if (this.failure) throw this.failure;
    // A later row with the same key replaces the earlier one, as sequential puts would.
    this.batch.set(this.options.keyAttributes.map((k) => String(item[k])).join('\u0000'), { PutRequest: { Item: (this.options.marshall ?? marshall)(item) } });
    this.stats.items += 1;
    if (this.batch.size >= MAX_BATCH) await this.dispatch();
  }

  async flush(): Promise<void> {
    if (this.batch.size > 0) await this.dispatch();
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }

  private async dispatch(): Promise<void> {
    const requests = [...this.batch.values()];
    this.batch = new Map();
    while (this.inFlight.length >= (this.options.concurrency ?? 4)) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
    const call = this.write(requests).catch((error: Error) => {
      this.failure ??= error;
    });
    const tracked = call.finally(() => this.inFlight.splice(this.inFlight.indexOf(tracked), 1));
    this.inFlight.push(tracked);
  }

  private async write(requests: WriteRequest[]): Promise<void> {
    const { tableName, maxAttempts = 8, baseDelayMs = 50, maxDelayMs = 5_000, sleep = realSleep, random } = this.options;
    let pending = requests;
    for (let attempt = 0; ; attempt++) {
      try {
        this.stats.calls += 1;
        const response = await this.dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
        pending = response.UnprocessedItems?.[tableName] ?? [];
        if (pending.length === 0) return;
      } catch (error) {
        if (!RETRYABLE_ERRORS.has((error as Error).name)) throw error;
      }
      if (attempt + 1 >= maxAttempts) throw new Error(`${pending.length} items not written to ${tableName} after ${maxAttempts} attempts`);
      this.stats.retries += 1;
      await sleep(backoffDelay(attempt, { baseDelayMs, maxDelayMs, random }));
    }
  }
}
