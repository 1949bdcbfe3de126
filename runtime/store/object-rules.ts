import { randomInt } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../kube/object.js';
import { generateJobSelector } from './job-selector.js';

/** Kubernetes' alphabet for generated name suffixes: no vowels, no look-alike digits. */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export const CONFLICT_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

/** `prefix` (cut to 58 characters, so the name fits 63) and 5 random characters, as names.SimpleNameGenerator makes them. */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return prefix.slice(0, 63 - 5) + suffix;
}

/** RFC 3339 with whole seconds, as Kubernetes writes metav1.Time. */
export function timestamp(offsetSeconds = 0): string {
  return new Date(Date.now() + offsetSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A plain-JSON copy: drops `undefined` members so stored and reloaded objects compare equal. */
export function normalize<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** true when anything outside metadata and status differs, the rule for bumping metadata.generation. */
export function specChanged(a: KubeObject, b: KubeObject): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (key === 'metadata' || key === 'status' || key === 'apiVersion' || key === 'kind') continue;
    if (!isDeepStrictEqual(a[key], b[key])) return true;
  }
  return false;
}

/** Status that Kubernetes fills in on create for the kinds the runtime serves. */
export function applyCreateDefaults(group: string, kind: string, object: KubeObject): void {
  // By group too: a custom resource may share a built-in kind's name (Knative's serving.knative.dev Service).
  if (kind === 'Namespace' && group === '') {
    object.spec = { ...(object.spec ?? {}) };
    object.spec.finalizers ??= ['kubernetes'];
    object.status = { ...(object.status ?? {}), phase: 'Active' };
  } else if (kind === 'Service' && group === '') {
    object.status ??= { loadBalancer: {} };
  } else if (kind === 'Job' && group === 'batch') {
    generateJobSelector(object);
  } else if (kind === 'Pod' && group === '') {
    object.status = { ...(object.status ?? {}) };
    object.status.phase ??= 'Pending';
  }
}
