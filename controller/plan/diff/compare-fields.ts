import { quantityValue } from '../../../runtime/kube/quantity.js';

/** One field where the live object differs from what the user declared. */
export interface FieldChange {
  /** Where: `spec.template.spec.containers[name=web].image`, `metadata.labels["app.kubernetes.io/name"]`. */
  path: string;
  /** `add`: the live object lacks it; `change`: it holds something else. */
  op: 'add' | 'change';
  /** Live value (absent for `add` and for secret values). */
  live?: unknown;
  /** Declared value (absent for secret values). */
  desired?: unknown;
  /** A Secret's value: shown as `(secret value changed)`, never as its content. */
  redacted?: boolean;
}

type Json = unknown;

/** Keys that identify the items of a list of objects, as strategic merge patch uses them; the first every item has (uniquely) wins. */
const mergeKeys = ['name', 'containerPort', 'port', 'mountPath', 'devicePath', 'ip', 'topologyKey'];
/** Maps whose values are resource quantities, and fields that are one; compared by value. */
const quantityMaps = new Set(['limits', 'requests', 'hard', 'capacity']);
const quantityFields = new Set(['sizeLimit', 'storage']);

const isMap = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The API server leaves out empty and zero values (Go's omitempty): declaring one is not a difference. */
function isEmpty(v: Json): boolean {
  return v === null || v === undefined || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0);
}

export function keySegment(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * Compares what the user declared with what is live, one way: every field of
 * `desired` must be in `live` with the same value, while fields only `live`
 * has (defaults, fields other controllers own) are ignored. Lists of objects
 * are matched by their merge key (`name`, `containerPort`, `port`, …) like a
 * strategic merge patch; other lists must match item by item. Changes come in
 * field order (keys sorted), so the same objects always give the same list.
 */
export function compareFields(desired: Json, live: Json, path: string, out: FieldChange[], keys: readonly string[] = []): void {
  if (desired === null || desired === undefined) return;
  if (live === undefined || live === null) {
    if (!isEmpty(desired)) out.push({ path: path.replace(/^\./, ''), op: 'add', desired });
    return;
  }
  if (isMap(desired)) {
    if (!isMap(live)) return void out.push(change(path, live, desired));
    for (const k of Object.keys(desired).sort()) compareFields(desired[k], live[k], `${path}${keySegment(k)}`, out, [...keys, k]);
    return;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return void out.push(change(path, live, desired));
    const key = mergeKeyOf(desired);
    if (key) {
      for (const item of desired as Record<string, Json>[]) {
        const id = item[key];
        const match = live.find((l) => isMap(l) && l[key] === id);
        compareFields(item, match, `${path}[${key}=${String(id)}]`, out, [...keys, '[]']);
      }
      return;
    }
    if (desired.length !== live.length) return void out.push(change(path, live, desired));
    if (desired.some((d) => isMap(d) || Array.isArray(d))) {
      desired.forEach((d, i) => compareFields(d, live[i], `${path}[${i}]`, out, [...keys, '[]']));
      return;
    }
    if (desired.some((d, i) => !sameScalar(d, live[i], []))) out.push(change(path, live, desired));
    return;
  }
  if (!sameScalar(desired, live, keys)) out.push(change(path, live, desired));
}

function change(path: string, live: Json, desired: Json): FieldChange {
  return { path: path.replace(/^\./, ''), op: 'change', live, desired };
}

function sameScalar(desired: Json, live: Json, keys: readonly string[]): boolean {
  if (desired === live) return true;
  if (quantityFields.has(keys[keys.length - 1]) || quantityMaps.has(keys[keys.length - 2])) {
    const a = quantityValue(desired);
    const b = quantityValue(live);
    if (a !== undefined && b !== undefined) return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  }
  return false;
}

function mergeKeyOf(items: Json[]): string | undefined {
  if (items.length === 0 || !items.every(isMap)) return undefined;
  return mergeKeys.find((k) => {
    const ids = (items as Record<string, Json>[]).map((i) => i[k]);
    return ids.every((id) => typeof id === 'string' || typeof id === 'number') && new Set(ids).size === ids.length;
  });
}
