import { semanticForm } from '../../kube/canonical-json.js';
import type { KubeObject } from '../../kube/object.js';

/** The label that ties a Deployment's ReplicaSet and its pods to one pod template. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

// Kubernetes' rand.SafeEncodeString alphabet: no vowels (no words) and no look-alikes (0/O, 1/l).
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function fnv32a(text: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Maps each character onto the safe alphabet, as rand.SafeEncodeString does. */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/**
 * The pod-template-hash of a template, as controller.ComputeHash shapes it:
 * fnv32a over the template (here its canonical JSON, without any existing
 * hash label), the collision count mixed in, printed in decimal and safe-encoded.
 */
export function computePodTemplateHash(template: unknown, collisionCount?: number): string {
  let h = fnv32a(templateText(template));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(collisionCount >>> 0);
    for (const byte of b) {
      h ^= byte;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return safeEncode(String(h >>> 0));
}

/**
 * The text a template is hashed and compared by: its semantic form (see
 * semanticForm) without the pod-template-hash label, as JSON. Built from the
 * form, which is already a fresh object, so the template is never cloned.
 */
export function templateText(template: unknown): string {
  const form = semanticForm(template) as any;
  const labels = form?.metadata?.labels;
  if (labels && POD_TEMPLATE_HASH_LABEL in labels) {
    delete labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(labels).length === 0) {
      delete form.metadata.labels;
      if (Object.keys(form.metadata).length === 0) delete form.metadata;
    }
  }
  return JSON.stringify(form !== undefined && Object.keys(form).length > 0 ? form : null);
}

/** Templates equal but for the hash label (deploymentutil.EqualIgnoreHash). */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return templateText(a) === templateText(b);
}

/**
 * ReplicaSets' template texts by uid, each with the resourceVersion it was
 * read at (any write changes it, so a hit is exact). A Deployment is
 * reconciled on every change of its pods and compares its template with each
 * of its ReplicaSets (ten kept by default); old ones seldom change. A deleted
 * ReplicaSet's entry is dropped (forgetReplicaSetTemplateText): under a
 * rollout every few seconds the history limit deletes as many as are made,
 * and their texts otherwise stayed until the bound, hours later.
 */
const rsTexts = new Map<string, { resourceVersion: string; text: string }>();
const MAX_RS_TEXTS = 4096;
/**
 * uids of ReplicaSets seen deleted, so a reconcile still holding an older list
 * does not cache a deleted one's text again; the oldest are forgotten first.
 */
const deletedRs = new Set<string>();
const MAX_DELETED = 1024;

export function replicaSetTemplateText(rs: KubeObject): string {
  const { uid, resourceVersion } = rs.metadata ?? {};
  if (!uid || !resourceVersion) return templateText(rs.spec?.template);
  const hit = rsTexts.get(uid);
  if (hit?.resourceVersion === resourceVersion) return hit.text;
  const text = templateText(rs.spec?.template);
  if (deletedRs.has(uid)) return text;
  rsTexts.delete(uid);
  if (rsTexts.size >= MAX_RS_TEXTS) rsTexts.delete(rsTexts.keys().next().value!);
  rsTexts.set(uid, { resourceVersion, text });
  return text;
}

/** Drops a deleted ReplicaSet's text (its uid is never seen again). */
export function forgetReplicaSetTemplateText(uid: string | undefined): void {
  if (!uid) return;
  rsTexts.delete(uid);
  deletedRs.add(uid);
  if (deletedRs.size > MAX_DELETED) deletedRs.delete(deletedRs.values().next().value!);
}

/** Whether a ReplicaSet's text is held (for tests). */
export function holdsReplicaSetTemplateText(uid: string): boolean {
  return rsTexts.has(uid);
}
