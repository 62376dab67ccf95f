import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod/mini';

/**
 * A salvaged message, as one JSON object in the salvage bucket: everything a replay needs to
 * re-submit it unchanged (the body, its content type, the message id) and why it was salvaged.
 */
export interface SalvageEnvelope {
  messageId: string;
  receivedAt: string;
  contentType: string;
  bytes: number;
  sha256: string;
  /** Where it failed: "ingest" (Redis or StartExecution) or "workflow" (after the catch). */
  stage: 'ingest' | 'workflow';
  executionName?: string;
  replayOf?: string;
  /** The request headers that matter for a replay (content-type, idempotency-key, x-replay-of). */
  headers?: Record<string, string>;
  error: { name: string; message: string };
  /** The payload, as the UTF-8 text the client sent. */
  body: string;
}

export const salvageEnvelopeSchema = z.object({
  messageId: z.string().check(z.minLength(1)),
  receivedAt: z.string().check(z.minLength(1)),
  contentType: z.string().check(z.minLength(1)),
  bytes: z.number(),
  sha256: z.string(),
  stage: z.enum(['ingest', 'workflow']),
  executionName: z.optional(z.string()),
  replayOf: z.optional(z.string()),
  headers: z.optional(z.record(z.string(), z.string())),
  error: z.object({ name: z.string(), message: z.string() }),
  body: z.string(),
});

export type S3Sender = Pick<S3Client, 'send'>;

export async function putEnvelope(s3: S3Sender, bucket: string, key: string, envelope: SalvageEnvelope): Promise<void> {
  await s3.send(new PutObjectCommand({
    Bucket: bucket,
    Key: key,
    Body: JSON.stringify(envelope),
    ContentType: 'application/json',
    Metadata: { 'message-id': envelope.messageId, sha256: envelope.sha256 },
  }));
}

export const describeError = (error: unknown): { name: string; message: string } =>
  error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
