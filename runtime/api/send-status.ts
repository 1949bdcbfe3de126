import type { Response } from 'express';
import { StatusError } from '../errors/status-error.js';

/** Any thrown value as a StatusError; unknown errors become 500 InternalError without leaking a stack. */
export function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);
}

export function sendStatus(res: Response, err: unknown): void {
  const status = toStatusError(err);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status.code).type('application/json').send(JSON.stringify(status.toStatus()));
}

/** The `Status` Kubernetes answers a successful delete of a collection or a fully removed object with. */
export function successStatus(details: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}
