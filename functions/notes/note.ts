import { z } from 'zod';

export const MAX_CONTENT_CHARACTERS = 50_000; // at most 200 KB in UTF-8: fits an SQS message

export const noteInputSchema = z
  .object({
    title: z.string().trim().min(1).max(200).optional(),
    content: z.string().min(1).max(MAX_CONTENT_CHARACTERS),
  })
  .strict();

export type NoteInput = z.infer<typeof noteInputSchema>;

/** What the table holds. `version` grows with every content change; the count names the version it counted. */
export interface Note {
  noteId: string;
  title?: string;
  content: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  wordCount?: number;
  countedVersion?: number;
}

/** What the forwarder sends to the word-count queue. */
export interface CountRequest {
  noteId: string;
  version: number;
  content: string;
}
