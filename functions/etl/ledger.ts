import { ConditionalCheckFailedException, GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
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

export type LedgerEntry =
  | { status: 'IN_PROGRESS'; leaseUntil: number; checkpoint?: Checkpoint; continuation?: string }
  | { status: 'DONE'; counts: Counts; reportKey?: string };

/** One entry per object version (or ETag when the bucket is not versioned): a file loads once. */
export function fileId(file: FileRef): string {
  return `s3://${file.bucket}/${file.key}#${file.versionId ?? file.etag ?? 'unversioned'}`;
}

export type Claim = { outcome: 'claimed'; checkpoint?: Checkpoint } | { outcome: 'done' } | { outcome: 'busy' };

export class Ledger {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /**
   * Takes the file for this invocation: when it was never seen, when a previous holder's lease ran
   * out (it crashed), or when this is the continuation the last holder handed over (token).
   */
  async claim(file: FileRef, now: number, leaseMs: number, continuation?: string): Promise<Claim> {
    try {
      const { Attributes } = await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ fileId: fileId(file) }),
          UpdateExpression: 'SET #status = :inProgress, leaseUntil = :lease, #file = :file REMOVE continuation',
          ConditionExpression:
            'attribute_not_exists(fileId) OR (#status = :inProgress AND (leaseUntil < :now OR continuation = :token))',
          ExpressionAttributeNames: { '#status': 'status', '#file': 'file' },
          ExpressionAttributeValues: marshall({ ':inProgress': 'IN_PROGRESS', ':lease': now + leaseMs, ':now': now, ':token': continuation ?? '-', ':file': file }, { removeUndefinedValues: true }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      const entry = Attributes ? unmarshall(Attributes) : {};
      return { outcome: 'claimed', checkpoint: entry.checkpoint as Checkpoint | undefined };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(file);
      return { outcome: existing?.status === 'DONE' ? 'done' : 'busy' };
    }
  }

  async get(file: FileRef): Promise<LedgerEntry | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.tableName, Key: marshall({ fileId: fileId(file) }), ConsistentRead: true }));
    return Item ? (unmarshall(Item) as LedgerEntry) : undefined;
  }

  /** Records where to resume and releases the lease to the continuation holding `token`. */
  async checkpoint(file: FileRef, checkpoint: Checkpoint, token: string): Promise<void> {
    await this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ fileId: fileId(file) }),
        UpdateExpression: 'SET checkpoint = :checkpoint, continuation = :token',
        ExpressionAttributeValues: marshall({ ':checkpoint': checkpoint, ':token': token }),
      }),
    );
  }

  async complete(file: FileRef, counts: Counts, reportKey: string): Promise<void> {
    await this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ fileId: fileId(file) }),
        UpdateExpression: 'SET #status = :done, counts = :counts, reportKey = :report, completedAt = :now REMOVE checkpoint, continuation, leaseUntil',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: marshall({ ':done': 'DONE', ':counts': counts, ':report': reportKey, ':now': new Date().toISOString() }),
      }),
    );
  }
}
