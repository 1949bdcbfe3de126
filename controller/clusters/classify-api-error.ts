import { ClusterRequestError } from './cluster-request-error.js';
import { ObjectRejectedError } from './object-rejected-error.js';
import { describeObject, type ObjectRef } from './object-ref.js';

/** Node and fetch error codes that mean "no answer", worth retrying. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: Array<{ field?: string; message?: string }> };
}

/** The Kubernetes Status the API answered with, if the error carries one. */
export function statusOf(err: unknown): { code: number; body: StatusBody } | undefined {
  // client-node's ApiException among them: checked by shape, so this module does not load client-node.
  if (typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number') {
    const e = err as { code: number; body?: unknown };
    let body: unknown = e.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        body = { message: body };
      }
    }
    return { code: e.code, body: (typeof body === 'object' && body !== null ? body : {}) as StatusBody };
  }
  const statusCode = (err as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof statusCode === 'number') return { code: statusCode, body: { message: (err as Error).message } };
  return undefined;
}

export function isNotFoundError(err: unknown): boolean {
  return statusOf(err)?.code === 404;
}

function systemCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/**
 * Turns a failed request about `object` into the error that decides retries:
 * ObjectRejectedError (never retried) when the API refused the object itself,
 * ClusterRequestError (retried) when the cluster could not answer well.
 * Anything unrecognised is returned as is and so retried by default.
 */
export function classifyApiError(err: unknown, cluster: string, object?: ObjectRef, doing = 'apply'): Error {
  if (err instanceof ObjectRejectedError || err instanceof ClusterRequestError) return err;
  const what = object ? describeObject(object) : `cluster "${cluster}"`;
  const where = object ? { kind: object.kind, namespace: object.namespace, name: object.name } : {};
  const status = statusOf(err);
  if (status) {
    const message = status.body.message ?? `HTTP ${status.code}`;
    const { code } = status;
    if (code === 400 || code === 404 || code === 405 || code === 413 || code === 415 || code === 422) {
      return new ObjectRejectedError(
        `${doing} ${what} failed: ${message}`,
        { kind: object?.kind ?? '', namespace: object?.namespace, name: object?.name ?? '', status: code, reason: status.body.reason, causes: status.body.details?.causes },
        { cause: err },
      );
    }
    const kind = code === 401 || code === 403 ? 'ACCESS_DENIED' : code === 409 ? 'CONFLICT' : 'SERVER_ERROR';
    return new ClusterRequestError(kind, `${doing} ${what} failed: ${message}`, { cluster, status: code, ...where }, { cause: err });
  }
  const message = (err as Error | undefined)?.message ?? String(err);
  // client-node's generic client says so when discovery does not list the kind (a CRD not installed).
  if (/^Unrecognized API version and kind/.test(message)) {
    return new ObjectRejectedError(`${doing} ${what} failed: the cluster does not serve ${object?.apiVersion ?? ''} ${object?.kind ?? ''}`.trim(), {
      kind: object?.kind ?? '',
      namespace: object?.namespace,
      name: object?.name ?? '',
    }, { cause: err });
  }
  const sys = systemCode(err);
  if ((sys && UNREACHABLE_CODES.has(sys)) || (err as Error | undefined)?.name === 'AbortError' || (err as Error | undefined)?.name === 'TimeoutError' || (err as { type?: string } | undefined)?.type === 'system') {
    return new ClusterRequestError('UNREACHABLE', `${doing} ${what} failed: cluster "${cluster}" is unreachable (${sys ?? message})`, { cluster, ...where }, { cause: err });
  }
  return err instanceof Error ? err : new Error(message);
}
