import type { KubeObject } from '../kube/object.js';

/**
 * Stored objects are immutable, so each one's JSON text is computed once (it
 * is needed for SQLite anyway) and reused: parsing cached text is about three
 * times faster than structuredClone, which matters when a list hands out
 * copies of 10,000 objects.
 */
const cache = new WeakMap<KubeObject, string>();

export function storedJson(object: KubeObject): string {
  let json = cache.get(object);
  if (json === undefined) {
    json = JSON.stringify(object);
    cache.set(object, json);
  }
  return json;
}

/** A private, mutable copy of a stored object for a caller. */
export function copyOf(object: KubeObject): KubeObject {
  return JSON.parse(storedJson(object)) as KubeObject;
}

/** Remembers text already in hand (e.g. just read from SQLite). */
export function rememberJson(object: KubeObject, json: string): void {
  cache.set(object, json);
}

/**
 * A writer's answer: a copy of what was just stored, whose JSON text is the
 * stored text itself, so the API can send those bytes instead of stringifying
 * the copy again. Only the handlers that send the copy straight read the text.
 */
const answers = new WeakMap<KubeObject, string>();

export function answerCopyOf(object: KubeObject): KubeObject {
  const json = storedJson(object);
  const copy = JSON.parse(json) as KubeObject;
  answers.set(copy, json);
  return copy;
}

/** The stored text an unchanged answer (see answerCopyOf) was parsed from; undefined for any other object. */
export function answerJson(copy: KubeObject): string | undefined {
  return answers.get(copy);
}
