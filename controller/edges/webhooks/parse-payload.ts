import type { z } from 'zod';
import { WebhookRequestError } from './webhook-request-error.js';

/**
 * The JSON document in a webhook body. GitHub hooks may be set to send
 * `application/x-www-form-urlencoded`, with the JSON in the `payload` field.
 */
export function parseJsonBody(rawBody: Buffer, contentType: string | undefined): unknown {
  let text = rawBody.toString('utf8');
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) throw new WebhookRequestError('INVALID_PAYLOAD', 'form-encoded body has no "payload" field', 'payload');
    text = payload;
  }
  if (text.trim() === '') throw new WebhookRequestError('INVALID_JSON', 'body is empty; expected a JSON object');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new WebhookRequestError('INVALID_JSON', `body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Validates `data` against `schema`, naming the first offending field in the error. */
export function validatePayload<S extends z.ZodType>(schema: S, data: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length ? issue.path.map(String).join('.') : '(root)';
  throw new WebhookRequestError('INVALID_PAYLOAD', `invalid ${what} payload: ${field}: ${issue.message}`, field);
}
