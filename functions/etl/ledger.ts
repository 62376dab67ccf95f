import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

export interface FileRef {
  bucket: string;
  key: string;
  versionId?: string;
  etag?: string;
}

export interface Counts {
  read: number;
  loaded: number;
  rejected: number;
  filtered: number;
}

export interface Checkpoint {
  nextByte: number;
  nextLine: number;
  header: string[];
  counts: Counts;
  segment: number;
}

/**
 * The life of one object version:
 * IN_PROGRESS (a holder is loading it, maybe over several invocations) -> DONE (its rows are in the
 * table) or SUPERSEDED (a newer version of the same key was loaded; its rows never will be) or FAILED
 * (it failed maxAttempts times; the sweeper leaves it alone, a DLQ redrive tries it again).
 */
export type FileStatus = 'IN_PROGRESS' | 'DONE' | 'SUPERSEDED' | 'FAILED';
export const FINAL_STATUSES: readonly FileStatus[] = ['DONE', 'SUPERSEDED'];

export interface LedgerEntry {
  status: FileStatus;
  holder?: string;
  checkpoint?: Checkpoint;
  attempts?: number;
  lastError?: string;
  counts?: Counts;
  reportKey?: string;
  supersededBy?: string;
}

/** One entry per object version (or ETag when the bucket is not versioned): a file loads once. */
export function fileId(file: FileRef): string {
  return `s3://${file.bucket}/${file.key}#${file.versionId ?? file.etag ?? 'unversioned'}`;
}

/** One lock per key: versions of the same key load one at a time, so their order can be enforced. */
const lockId = (file: FileRef) => `lock:s3://${file.bucket}/${file.key}`;

export type Claim =
  | { outcome: 'claimed'; entry: LedgerEntry | undefined }
  | { outcome: 'busy'; heldBy: string }
  | { outcome: 'lost-continuation' };

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException';

export class Ledger {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /**
   * Takes the key's lock for `holder` until `now + leaseMs`: when nobody holds it, when the last
   * holder's lease ran out (it crashed), or when this is the continuation the last holder handed
   * over (`continuation` token). Then marks the version IN_PROGRESS for this holder unless it is
   * already final, and returns its entry.
   */
  async claim(file: FileRef, holder: string, now: number, leaseMs: number, continuation?: string): Promise<Claim> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ fileId: lockId(file) }),
          UpdateExpression: 'SET holder = :holder, holderVersion = :version, leaseUntil = :lease REMOVE continuation',
          ConditionExpression: continuation
            ? 'continuation = :token AND holderVersion = :version'
            : 'attribute_not_exists(fileId) OR leaseUntil < :now',
          ExpressionAttributeValues: marshall(
            { ':holder': holder, ':version': fileId(file), ':lease': now + leaseMs, ...(continuation ? { ':token': continuation } : { ':now': now }) },
          ),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (continuation) return { outcome: 'lost-continuation' };
      const lock = await this.getItem(lockId(file));
      return { outcome: 'busy', heldBy: String(lock?.holderVersion ?? 'unknown') };
    }
    const { Attributes } = await this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ fileId: fileId(file) }),
        UpdateExpression: 'SET holder = :holder, #file = :file, #status = if_not_exists(#status, :inProgress)',
        ExpressionAttributeNames: { '#status': 'status', '#file': 'file' },
        ExpressionAttributeValues: marshall({ ':holder': holder, ':file': file, ':inProgress': 'IN_PROGRESS' }, { removeUndefinedValues: true }),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { outcome: 'claimed', entry: Attributes ? (unmarshall(Attributes) as LedgerEntry) : undefined };
  }

  async get(file: FileRef): Promise<LedgerEntry | undefined> {
    return (await this.getItem(fileId(file))) as LedgerEntry | undefined;
  }

  /** Entries of many versions at once (missing ones are absent from the map). */
  async getMany(files: FileRef[]): Promise<Map<string, LedgerEntry>> {
    const found = new Map<string, LedgerEntry>();
    for (let i = 0; i < files.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = files.slice(i, i + 100).map((file) => ({ fileId: fileId(file) }));
      for (let attempt = 0; keys && keys.length > 0 && attempt < 10; attempt++) {
        const response: BatchGetItemCommandOutput = await this.dynamodb.send(
          new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: keys.map((key) => marshall(key)), ConsistentRead: true } } }),
        );
        for (const item of response.Responses?.[this.tableName] ?? []) {
          const entry = unmarshall(item);
          found.set(String(entry.fileId), entry as LedgerEntry);
        }
        keys = response.UnprocessedKeys?.[this.tableName]?.Keys?.map((key) => unmarshall(key));
      }
      if (keys && keys.length > 0) throw new Error(`ledger: ${keys.length} entries still unread after 10 BatchGetItem attempts`);
    }
    return found;
  }

  /** Records where to resume and hands the key's lock to the continuation holding `token`. */
  async checkpoint(file: FileRef, holder: string, checkpoint: Checkpoint, token: string): Promise<void> {
    await this.asHolder(file, holder, 'SET checkpoint = :checkpoint', { ':checkpoint': checkpoint });
    await this.lockAsHolder(file, holder, 'SET continuation = :token', { ':token': token });
  }

  async complete(file: FileRef, holder: string, counts: Counts, reportKey: string, completedAt: string): Promise<void> {
    await this.asHolder(file, holder, 'SET #status = :done, counts = :counts, reportKey = :report, completedAt = :now REMOVE checkpoint', {
      ':done': 'DONE',
      ':counts': counts,
      ':report': reportKey,
      ':now': completedAt,
    });
  }

  /**
   * Marks an older version SUPERSEDED by `newer` unless it was loaded already. Only the holder of
   * the key's lock calls this, so no other invocation is loading that version.
   */
  async supersede(file: FileRef, newer: FileRef, reportKey: string, at: string): Promise<boolean> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ fileId: fileId(file) }),
          UpdateExpression: 'SET #status = :superseded, supersededBy = :newer, reportKey = :report, completedAt = :at, #file = :file REMOVE checkpoint, holder',
          ConditionExpression: 'attribute_not_exists(#status) OR NOT #status IN (:done, :superseded)',
          ExpressionAttributeNames: { '#status': 'status', '#file': 'file' },
          ExpressionAttributeValues: marshall({ ':superseded': 'SUPERSEDED', ':done': 'DONE', ':newer': fileId(newer), ':report': reportKey, ':at': at, ':file': file }, { removeUndefinedValues: true }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Counts a failed attempt; at maxAttempts the version becomes FAILED (terminal for the sweeper).
   * Returns the new entry. Does not need the lock: a failure is recorded even after a lost lease.
   */
  async recordFailure(file: FileRef, reason: string, maxAttempts: number, permanent: boolean): Promise<LedgerEntry> {
    const { Attributes } = await this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ fileId: fileId(file) }),
        UpdateExpression: 'SET attempts = if_not_exists(attempts, :zero) + :one, lastError = :reason, #file = :file, #status = if_not_exists(#status, :inProgress)',
        ConditionExpression: 'attribute_not_exists(#status) OR NOT #status IN (:done, :superseded)',
        ExpressionAttributeNames: { '#status': 'status', '#file': 'file' },
        ExpressionAttributeValues: marshall({ ':zero': 0, ':one': 1, ':reason': reason.slice(0, 2000), ':file': file, ':inProgress': 'IN_PROGRESS', ':done': 'DONE', ':superseded': 'SUPERSEDED' }, { removeUndefinedValues: true }),
        ReturnValues: 'ALL_NEW',
      }),
    ).catch((error: unknown) => {
      if (isConditionFailure(error)) return { Attributes: undefined };
      throw error;
    });
    const entry = Attributes ? (unmarshall(Attributes) as LedgerEntry) : undefined;
    if (!entry) return { status: 'DONE' };
    if ((permanent || (entry.attempts ?? 0) >= maxAttempts) && entry.status !== 'FAILED') {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ fileId: fileId(file) }),
          UpdateExpression: 'SET #status = :failed REMOVE holder',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: marshall({ ':failed': 'FAILED' }),
        }),
      );
      return { ...entry, status: 'FAILED' };
    }
    return entry;
  }

  /** Gives the key's lock back (only if `holder` still has it), so other versions can load. */
  async release(file: FileRef, holder: string): Promise<void> {
    try {
      await this.lockAsHolder(file, holder, 'SET leaseUntil = :zero REMOVE continuation', { ':zero': 0 });
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
    }
  }

  private async getItem(id: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.tableName, Key: marshall({ fileId: id }), ConsistentRead: true }));
    return Item ? unmarshall(Item) : undefined;
  }

  private async asHolder(file: FileRef, holder: string, update: string, values: Record<string, unknown>): Promise<void> {
    await this.conditional(fileId(file), holder, update, values, `${fileId(file)} is no longer held by this invocation (its lease ran out and another one took it)`);
  }

  private async lockAsHolder(file: FileRef, holder: string, update: string, values: Record<string, unknown>): Promise<void> {
    await this.conditional(lockId(file), holder, update, values, `the lock of s3://${file.bucket}/${file.key} is no longer held by this invocation`);
  }

  private async conditional(id: string, holder: string, update: string, values: Record<string, unknown>, lostMessage: string): Promise<void> {
    const names: Record<string, string> = update.includes('#status') ? { '#status': 'status' } : {};
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ fileId: id }),
          UpdateExpression: update,
          ConditionExpression: 'holder = :holder',
          ...(Object.keys(names).length > 0 && { ExpressionAttributeNames: names }),
          ExpressionAttributeValues: marshall({ ...values, ':holder': holder }, { removeUndefinedValues: true }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new LeaseLostError(lostMessage);
      throw error;
    }
  }
}
