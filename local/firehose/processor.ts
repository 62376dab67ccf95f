import { randomUUID } from 'node:crypto';
import type { InvokeResult } from '../functions/runner';

/** A record as PutRecord(Batch) took it. */
export interface FirehoseRecord {
  recordId: string;
  data: Buffer;
  /** Arrival time (ms). */
  approximateArrivalTimestamp: number;
}

/** One line of a processing-failed object, as Firehose writes it under the error prefix. */
export interface ProcessingFailure {
  attemptsMade: number;
  arrivalTimestamp: number;
  errorCode: string;
  errorMessage: string;
  attemptEndingTimestamp: number;
  rawData: string;
  lambdaArn: string;
}

export interface ProcessorOptions {
  lambdaArn: string;
  deliveryStreamArn: string;
  region: string;
  /** ProcessingConfiguration NumberOfRetries (Firehose's default: 3). */
  numberOfRetries: number;
  invoke(functionArn: string, event: unknown): Promise<InvokeResult>;
  now(): number;
}

export interface ProcessedBatch<R extends FirehoseRecord = FirehoseRecord> {
  /** Transformed data of the `Ok` records, in input order. */
  ok: { record: R; data: Buffer }[];
  dropped: R[];
  failed: { record: R; failure: ProcessingFailure }[];
  invocations: number;
}

class InvocationFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Reply = { recordId: string; result: 'Ok' | 'Dropped' | 'ProcessingFailed'; data?: string };

/** Checks the function's answer the way Firehose does: every record answered exactly once, known results, data for Ok. */
function repliesByRecord(payload: unknown, records: FirehoseRecord[]): Map<string, Reply> {
  const replies = (payload as { records?: unknown } | null)?.records;
  if (!Array.isArray(replies)) throw new InvocationFailure('Lambda.JsonProcessingException', 'the response has no records array');
  const expected = new Set(records.map((r) => r.recordId));
  const byId = new Map<string, Reply>();
  for (const reply of replies as Partial<Reply>[]) {
    const id = reply?.recordId;
    if (typeof id !== 'string' || !expected.has(id)) throw new InvocationFailure('Lambda.MissingRecordId', `the response names a record that was not sent: ${String(id)}`);
    if (byId.has(id)) throw new InvocationFailure('Lambda.DuplicatedRecordId', `the response answers record ${id} twice`);
    if (reply.result !== 'Ok' && reply.result !== 'Dropped' && reply.result !== 'ProcessingFailed') throw new InvocationFailure('Lambda.JsonProcessingException', `record ${id}: result must be Ok, Dropped or ProcessingFailed, not ${String(reply.result)}`);
    if (reply.result === 'Ok' && typeof reply.data !== 'string') throw new InvocationFailure('Lambda.JsonProcessingException', `record ${id}: an Ok record needs base64 data`);
    byId.set(id, reply as Reply);
  }
  const missing = records.find((r) => !byId.has(r.recordId));
  if (missing) throw new InvocationFailure('Lambda.MissingRecordId', `the response does not answer record ${missing.recordId}`);
  return byId;
}

/**
 * One processor invocation for a batch, as Firehose makes it: the documented event shape, retries
 * of the whole batch (function error, timeout, a malformed answer) up to NumberOfRetries, then every
 * record of the batch to the error prefix; otherwise each record by its own result.
 */
export async function processBatch<R extends FirehoseRecord>(records: R[], options: ProcessorOptions): Promise<ProcessedBatch<R>> {
  const event = {
    invocationId: randomUUID(),
    deliveryStreamArn: options.deliveryStreamArn,
    region: options.region,
    records: records.map((r) => ({ recordId: r.recordId, approximateArrivalTimestamp: r.approximateArrivalTimestamp, data: r.data.toString('base64') })),
  };
  let invocations = 0;
  let last: InvocationFailure;
  const failure = (record: FirehoseRecord, code: string, message: string): ProcessingFailure => ({
    attemptsMade: invocations,
    arrivalTimestamp: record.approximateArrivalTimestamp,
    errorCode: code,
    errorMessage: message,
    attemptEndingTimestamp: options.now(),
    rawData: record.data.toString('base64'),
    lambdaArn: options.lambdaArn,
  });
  do {
    invocations += 1;
    const result = await options.invoke(options.lambdaArn, event).catch((error: Error): InvokeResult => ({ ok: false, errorType: 'Runtime.Unknown', errorMessage: error.message }));
    try {
      if (!result.ok) throw new InvocationFailure('Lambda.FunctionError', `${result.errorType}: ${result.errorMessage}`);
      const replies = repliesByRecord(result.payload, records);
      const batch: ProcessedBatch<R> = { ok: [], dropped: [], failed: [], invocations };
      for (const record of records) {
        const reply = replies.get(record.recordId)!;
        if (reply.result === 'Ok') batch.ok.push({ record, data: Buffer.from(reply.data!, 'base64') });
        else if (reply.result === 'Dropped') batch.dropped.push(record);
        else batch.failed.push({ record, failure: failure(record, 'Lambda.ProcessingFailedStatus', 'ProcessingFailed status set for record') });
      }
      return batch;
    } catch (error) {
      if (!(error instanceof InvocationFailure)) throw error;
      last = error;
    }
  } while (invocations <= options.numberOfRetries);
  return { ok: [], dropped: [], failed: records.map((record) => ({ record, failure: failure(record, last.code, last.message) })), invocations };
}
