import { z } from 'zod';
import { ValidationError } from '../lib/errors';

/** The message contract the processor accepts. The API only checks "a non-empty JSON object". */
export const messageSchema = z
  .object({
    id: z.string().min(1).max(128).optional(),
    type: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9._:-]+$/, 'type may contain letters, digits, ".", "_", ":" and "-"'),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
    data: z.record(z.string(), z.unknown()),
  })
  .strict();

export type Message = z.infer<typeof messageSchema>;

export function parseMessage(body: string): Message {
  if (body.trim() === '') throw new ValidationError(['body is empty']);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ValidationError(['body is not valid JSON']);
  }
  const result = messageSchema.safeParse(json);
  if (!result.success) {
    throw new ValidationError(result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`));
  }
  return result.data;
}
