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

let second = NaN;
let secondText = '';

/** RFC 3339 with whole seconds, as Kubernetes writes metav1.Time. */
export function timestamp(offsetSeconds = 0): string {
  // Every create asks; the text changes once a second.
  const current = Math.floor((Date.now() + offsetSeconds * 1000) / 1000);
  if (current !== second) {
    second = current;
    secondText = new Date(current * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return secondText;
}

/**
 * A plain-JSON copy, as `JSON.parse(JSON.stringify(value))` makes it: drops `undefined` members
 * so stored and reloaded objects compare equal. Plain objects and arrays are copied by hand,
 * without the text in between (every create and update pays for this copy); anything else
 * (a Date, a class instance, an object with toJSON) takes the JSON round trip.
 */
export function normalize<T>(value: T): T {
  return (isPlain(value) ? plainCopy(value) : roundTrip(value)) as T;
}

function roundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function isPlain(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/** What JSON makes of one member's value; undefined when JSON leaves the member out. */
function jsonMember(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // JSON writes NaN and ±Infinity as null, and -0 as 0.
      return Number.isFinite(value) ? value + 0 : null;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      if (value === null) return null;
      return isPlain(value) ? plainCopy(value) : roundTrip(value);
    default:
      return roundTrip(value);
  }
}

function plainCopy(value: object): unknown {
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = jsonMember(value[i]) ?? null;
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member = jsonMember((value as Record<string, unknown>)[key]);
    if (member === undefined) continue;
    // JSON.parse makes `__proto__` an own key, not the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: member, enumerable: true, writable: true, configurable: true });
    else out[key] = member;
  }
  return out;
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
