import { z } from 'zod';
import { badRequest } from './api-error.js';

/** `POST /api/v1/apps/:name/rollback`: no revision means the newest healthy one before the live one. */
export const rollbackBody = z.strictObject({
  revision: z.string().trim().min(1, 'must be a non-empty commit id').max(200).optional(),
});

/** `POST /api/v1/apps/:name/sync`: `prune: true` forces prune past the prune guard for this sync (`baton sync NAME --prune`); the body may be empty or absent. */
export const syncBody = z.strictObject({
  prune: z.boolean({ error: 'must be true or false' }).optional(),
});

export const historyQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export const logsQuery = z.strictObject({
  tail: z.coerce.number().int().min(1).max(10_000).optional(),
  container: z.string().min(1).optional(),
});

export const eventsQuery = z.strictObject({
  /** Only events of this app (app-less events, e.g. repository errors, are sent too). */
  app: z.string().min(1).optional(),
  /** Replay events after this id, as Last-Event-ID does for clients that cannot set headers. */
  after: z.string().regex(/^\d+-\d+$/, 'must be an event id like 1700000000000-0').optional(),
});

/** `input` checked against `schema`; a mismatch is a 400 naming the field (`body.revision: …`). */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, where: 'body' | 'query'): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${where}.${k}: unknown field`).join('; ');
    const path = issue.path.length ? `${where}.${issue.path.join('.')}` : where;
    return `${path}: ${issue.message}`;
  });
  return raise(problems.join('; '));
}

function raise(message: string): never {
  throw badRequest(message);
}
