import { badRequest, StatusError } from '../errors/status-error.js';
import type { KubeObject } from '../kube/object.js';
import type { StoreEvent } from './watch-hub.js';

/** A decoded continue token: the list's resourceVersion (-1: "the latest", after expiry) and the key the next page starts after. */
export interface ContinueToken {
  rv: number;
  /** `namespace/name` (or `name` for cluster-scoped kinds) of the last item sent. */
  start: string;
}

const TOKEN_VERSION = 'meta.k8s.io/v1';

const EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, ' +
  'or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an ' +
  'inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** The store key an object sorts by, as etcd's `/registry/<type>/<namespace>/<name>` orders a list. */
export function listKey(object: KubeObject): string {
  const ns = object.metadata.namespace;
  return ns ? `${ns}/${object.metadata.name}` : String(object.metadata.name);
}

/** Namespace first, then name: the order of the store's lists (a plain string order would put `a-b/x` before `a/x`). */
export function compareKeys(a: string, b: string): number {
  const [nsA, nameA] = splitKey(a);
  const [nsB, nameB] = splitKey(b);
  if (nsA !== nsB) return nsA < nsB ? -1 : 1;
  return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return slash < 0 ? ['', key] : [key.slice(0, slash), key.slice(slash + 1)];
}

/** Opaque to clients, but Kubernetes' shape (base64url JSON {v, rv, start}), so a token from one server reads as one from the other. */
export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv: token.rv, start: `${token.start}\u0000` })).toString('base64url');
}

export function decodeContinue(text: string): ContinueToken {
  let parsed: any;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('continue key is not valid: illegal base64 data or JSON');
  }
  if (parsed?.v !== TOKEN_VERSION) throw badRequest(`continue key is not valid: server does not recognize this encoded key version "${parsed?.v}"`);
  if (typeof parsed.rv !== 'number' || !Number.isInteger(parsed.rv) || parsed.rv === 0 || parsed.rv < -1) {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof parsed.start !== 'string' || parsed.start.length === 0) throw badRequest('continue key is not valid: encoded start key empty (version meta.k8s.io/v1)');
  return { rv: parsed.rv, start: parsed.start.endsWith('\u0000') ? parsed.start.slice(0, -1) : parsed.start };
}

/** 410 Expired for a token whose resourceVersion left the store's window, carrying a token that continues at the latest state. */
export function expiredContinue(start: string): StatusError {
  const err = new StatusError(410, 'Expired', EXPIRED_MESSAGE);
  err.listMeta = { continue: encodeContinue({ rv: -1, start }) };
  return err;
}

/**
 * The objects of one type as they were at `rv`: today's objects with every
 * later change of that type undone, newest first (ADDED removed, MODIFIED and
 * DELETED put back as they were), as etcd reads a list at a past revision.
 */
export function objectsAt(current: readonly KubeObject[], laterEvents: readonly StoreEvent[], typeKey: string): KubeObject[] {
  const byKey = new Map(current.map((o) => [listKey(o), o]));
  for (let i = laterEvents.length - 1; i >= 0; i--) {
    const e = laterEvents[i];
    if (e.typeKey !== typeKey) continue;
    const key = listKey(e.object);
    if (e.type === 'ADDED') byKey.delete(key);
    else if (e.previous) byKey.set(key, e.previous);
  }
  return [...byKey.entries()].sort(([a], [b]) => compareKeys(a, b)).map(([, o]) => o);
}

export interface Page {
  items: KubeObject[];
  /** The token for the next page; absent on the last. */
  continue?: string;
  /** Items after this page, when every object counts (no selector), as Kubernetes reports it. */
  remainingItemCount?: number;
}

/** The page after `start` (exclusive) of `matching` (sorted by listKey), at most `limit` items when limit > 0. */
export function pageOf(matching: readonly KubeObject[], start: string | undefined, limit: number, rv: number, countRemaining: boolean): Page {
  let from = 0;
  if (start !== undefined) {
    while (from < matching.length && compareKeys(listKey(matching[from]), start) <= 0) from++;
  }
  const rest = matching.slice(from);
  if (limit <= 0 || rest.length <= limit) return { items: rest };
  const items = rest.slice(0, limit);
  const page: Page = { items, continue: encodeContinue({ rv, start: listKey(items[items.length - 1]) }) };
  if (countRemaining) page.remainingItemCount = rest.length - limit;
  return page;
}
