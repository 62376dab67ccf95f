import * as z from 'zod/mini';
import { ValidationError } from '../lib/errors';
import { nestsDeeperThan } from '../lib/json-depth';
import { describeIssues } from '../lib/validation';
import contract from './contract.json';

/**
 * Most levels of objects and arrays a message may nest, the body itself being level 1 (32, in
 * contract.json). The API refuses deeper bodies with a 400 (the pipeline passes the same number to the
 * apigw module's max_body_depth); the processor checks again for messages that reached the queue
 * another way, before anything recursive touches them.
 */
export const MAX_MESSAGE_DEPTH: number = contract.maxBodyDepth;

/** The message contract the processor accepts. The API only checks "a non-empty JSON object". */
export const messageSchema = z.strictObject({
  id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  type: z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9._:-]+$/, 'type may contain letters, digits, ".", "_", ":" and "-"')),
  occurredAt: z.optional(z.iso.datetime({ offset: true })),
  data: z.record(z.string(), z.unknown()),
});

export type Message = z.infer<typeof messageSchema>;

/**
 * Validates the body and returns it as JSON.parse read it. zod's result is a copy made by assignment,
 * which turns a "__proto__" key inside data into the copy's prototype (the key is gone); the parsed
 * document keeps every key as an own property, so the handler sees what the API accepted.
 */
export function parseMessage(body: string): Message {
  if (body.trim() === '') throw new ValidationError(['body is empty']);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    const reason = error instanceof RangeError ? 'body is nested too deeply to parse' : 'body is not valid JSON';
    throw new ValidationError([reason]);
  }
  if (nestsDeeperThan(json, MAX_MESSAGE_DEPTH)) {
    throw new ValidationError([`body: nested more than ${MAX_MESSAGE_DEPTH} levels of objects and arrays (the body itself is level 1)`]);
  }
  const result = messageSchema.safeParse(json);
  if (!result.success) {
    throw new ValidationError(describeIssues(result.error, 'body'));
  }
  // The schema has no transforms or defaults: the validated document is the message.
  return json as Message;
}
