import * as z from 'zod/mini';
import contract from './contract.json';

// The body's JSON schema lives in contract.json: the API validates requests with it before invoking
// the function, which checks the same limits here.
const { title, content } = contract.noteInputSchema.properties;

// 50,000 characters: at most 200 KB in UTF-8, well within a DynamoDB item (400 KB). The content never
// travels through SQS (a count request names the note and version), so no escaping can push it over a
// queue's limit.
export const MAX_CONTENT_CHARACTERS = content.maxLength;

export const noteInputSchema = z.strictObject({
  title: z.optional(z.string().check(z.trim(), z.minLength(title.minLength), z.maxLength(title.maxLength))),
  content: z.string().check(z.minLength(content.minLength), z.maxLength(MAX_CONTENT_CHARACTERS)),
});

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

/**
 * What the forwarder and recount send to the word-count queue: which version of which note to count,
 * never the content (the counter reads it), so a request is always a few dozen bytes whatever the
 * note holds. (Requests sent before this change also carry `content`; the counter ignores it.)
 */
export interface CountRequest {
  noteId: string;
  version: number;
}
