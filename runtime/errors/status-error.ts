/**
 * An API error shaped as a Kubernetes `Status`. Thrown anywhere in the runtime;
 * the HTTP layer turns it into the response body and code.
 */
export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'Expired'
  | 'Gone'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'TooManyRequests';

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class StatusError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details?: StatusDetails;
  /** The Status' ListMeta: an expired list continue carries a fresh token here. */
  listMeta?: { continue?: string };

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'StatusError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: this.listMeta ?? {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `resource` is the plural with its group, e.g. `deployments.apps` or `pods`. */
export function notFound(resource: string, name: string): StatusError {
  const [plural, group] = splitResource(resource);
  return new StatusError(404, 'NotFound', `${resource} "${name}" not found`, { name, group, kind: plural });
}

export function alreadyExists(resource: string, name: string): StatusError {
  const [plural, group] = splitResource(resource);
  return new StatusError(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, group, kind: plural });
}

export function conflict(resource: string, name: string, why: string): StatusError {
  const [plural, group] = splitResource(resource);
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, {
    name,
    group,
    kind: plural,
  });
}

/** 422 with one cause per offending field, as `kubectl` prints them. */
export function invalid(kind: string, name: string, causes: StatusCause[], group = ''): StatusError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ');
  return new StatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${list}`, {
    name,
    group,
    kind,
    causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function gone(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function forbidden(message: string): StatusError {
  return new StatusError(403, 'Forbidden', message);
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

export function unsupportedMediaType(contentType: string): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got ${contentType || 'none'})`);
}

export function tooLarge(limit: number): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `the request body exceeds the limit of ${limit} bytes`);
}

export function methodNotAllowed(message: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', message);
}

function splitResource(resource: string): [string, string | undefined] {
  const dot = resource.indexOf('.');
  return dot < 0 ? [resource, undefined] : [resource.slice(0, dot), resource.slice(dot + 1)];
}
