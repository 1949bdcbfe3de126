import { semanticJson } from '../../kube/canonical-json.js';

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
  let h = fnv32a(semanticJson(withoutHashLabel(template)));
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

/** A copy of the template without the pod-template-hash label (removing `labels` when it empties). */
export function withoutHashLabel<T>(template: T): T {
  const t = structuredClone(template) as any;
  const labels = t?.metadata?.labels;
  if (labels && POD_TEMPLATE_HASH_LABEL in labels) {
    delete labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(labels).length === 0) delete t.metadata.labels;
  }
  return t;
}

/** Templates equal but for the hash label (deploymentutil.EqualIgnoreHash). */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return semanticJson(withoutHashLabel(a)) === semanticJson(withoutHashLabel(b));
}
