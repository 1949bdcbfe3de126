import type { Response } from 'express';
import { StatusError, type StatusReason } from '../errors/status-error.js';

const clientReasons: Record<number, StatusReason> = {
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
};

/**
 * Any thrown value as a StatusError; unknown errors become 500 InternalError without leaking a stack.
 * Express' router marks the client's mistakes with a 4xx `status` (a malformed %-escape in a route
 * parameter is a URIError with status 400); those keep their code and message.
 */
export function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const http = err as { status?: unknown; message?: unknown } | null;
  if (typeof http?.status === 'number' && http.status >= 400 && http.status < 500) {
    return new StatusError(http.status, clientReasons[http.status] ?? 'BadRequest', String(http.message));
  }
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
