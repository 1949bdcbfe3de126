import type { KubeObject } from '../../../runtime/kube/object.js';
import { applyRank } from '../../../runtime/kube/apply-order.js';
import { isClusterScoped } from '../../../runtime/kube/cluster-scoped.js';
import { DIGEST_ANNOTATION, trackedApp } from '../../apps/track-objects.js';
import { compareFields, keySegment, type FieldChange } from './compare-fields.js';
import { declaredPart } from './normalize-object.js';

export type ObjectDiffAction = 'added' | 'changed' | 'removed' | 'unchanged';

/** How one object of an app stands. Never carries object bodies, so a diff shows no secret. */
export interface ObjectDiff {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** `added`: rendered, not live; `removed`: live with the app's labels, no longer rendered (a prune candidate). */
  action: ObjectDiffAction;
  /** For `changed`: the declared fields the live object differs in. */
  changes: FieldChange[];
}

export interface AppDiff {
  /** In apply order (Namespaces, config, Services, workloads, the rest), then kind, namespace, name. */
  objects: ObjectDiff[];
  counts: Record<ObjectDiffAction, number>;
  /** Nothing added, changed or removed. */
  inSync: boolean;
}

export interface DiffOptions {
  /** Only live objects labelled as this app's are prune candidates. @defaultValue the app the desired objects are labelled with */
  app?: string;
}

/** Objects controllers make from an app's objects, copying their labels; never the app's own. */
const derivedKinds = new Set(['Endpoints', 'EndpointSlice', 'Event']);
const secretChange = (path: string, op: 'add' | 'change'): FieldChange => ({ path, op, redacted: true });

/**
 * What applying `desired` (the rendered objects) would change in `live` (the
 * cluster's objects of the app). Only what the user declared is compared (see
 * compareFields); a Secret's values are never shown, only that they differ.
 */
export function diffObjects(desired: readonly KubeObject[], live: readonly KubeObject[], options: DiffOptions = {}): AppDiff {
  const liveByKey = new Map(live.map((o) => [identity(o), o]));
  const desiredKeys = new Set(desired.map(identity));
  const objects: ObjectDiff[] = [];
  for (const d of desired) {
    const l = liveByKey.get(identity(d));
    const ref = refOf(d);
    if (!l) {
      objects.push({ ...ref, action: 'added', changes: [] });
      continue;
    }
    const changes = d.kind === 'Secret' ? compareSecret(d, l) : compareObject(d, l);
    objects.push({ ...ref, action: changes.length > 0 ? 'changed' : 'unchanged', changes });
  }
  const app = options.app ?? desired.map(trackedApp).find((a) => a !== undefined);
  for (const l of live) {
    if (desiredKeys.has(identity(l)) || !isPruneCandidate(l, app)) continue;
    objects.push({ ...refOf(l), action: 'removed', changes: [] });
  }
  objects.sort(
    (a, b) => applyRank(a.kind) - applyRank(b.kind) || cmp(a.kind, b.kind) || cmp(a.namespace ?? '', b.namespace ?? '') || cmp(a.name, b.name) || cmp(a.apiVersion, b.apiVersion),
  );
  const counts = { added: 0, changed: 0, removed: 0, unchanged: 0 };
  for (const o of objects) counts[o.action]++;
  return { objects, counts, inSync: counts.added + counts.changed + counts.removed === 0 };
}

function compareObject(desired: KubeObject, live: KubeObject): FieldChange[] {
  const changes: FieldChange[] = [];
  compareFields(declaredPart(desired), declaredPart(live), '', changes);
  return withoutBookkeeping(changes);
}

/**
 * A different digest annotation says the rendered object changed; next to the
 * fields that did, it is noise. Alone, it means the change is one the
 * comparison cannot see: a field the user stopped declaring.
 */
function withoutBookkeeping(changes: FieldChange[]): FieldChange[] {
  const digestPath = `metadata.annotations${keySegment(DIGEST_ANNOTATION)}`;
  return changes.length > 1 ? changes.filter((c) => c.path !== digestPath) : changes;
}

/** Secrets: `data` is compared key by key and reported without values; the rest as for any object. */
function compareSecret(desired: KubeObject, live: KubeObject): FieldChange[] {
  const { data: dData, ...dRest } = declaredPart(desired);
  const { data: lData, ...lRest } = declaredPart(live);
  const changes: FieldChange[] = [];
  compareFields(dRest, lRest, '', changes);
  const liveData = (lData ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries((dData ?? {}) as Record<string, unknown>).sort(([a], [b]) => cmp(a, b))) {
    const path = `data${keySegment(k)}`;
    if (liveData[k] === undefined) changes.push(secretChange(path, 'add'));
    else if (liveData[k] !== v) changes.push(secretChange(path, 'change'));
  }
  return withoutBookkeeping(changes).map((c) => (c.redacted || !/^(data|stringData)\b/.test(c.path) ? c : secretChange(c.path, c.op)));
}

function isPruneCandidate(o: KubeObject, app: string | undefined): boolean {
  const owner = trackedApp(o);
  if (owner === undefined || (app !== undefined && owner !== app)) return false;
  // Owned objects go with their owner; a Namespace is never pruned (it holds other apps' objects too).
  return !o.metadata.ownerReferences?.length && !o.metadata.deletionTimestamp && !derivedKinds.has(o.kind) && o.kind !== 'Namespace';
}

/** API group (not version: apps/v1 and apps/v1beta2 name the same object), kind, namespace, name. */
function identity(o: KubeObject): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
  const ns = isClusterScoped(o.kind) ? '' : (o.metadata.namespace ?? '');
  return `${group}/${o.kind}/${ns}/${o.metadata.name}`;
}

function refOf(o: KubeObject): Omit<ObjectDiff, 'action' | 'changes'> {
  return { apiVersion: o.apiVersion, kind: o.kind, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}), name: o.metadata.name ?? '' };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
