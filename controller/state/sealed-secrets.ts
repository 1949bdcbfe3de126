import type { KubeObject } from '../../runtime/kube/object.js';
import type { SecretEnvelope } from '../../runtime/index.js';

/**
 * Kept manifests go to Redis, which may be another machine's (REDIS_URL) and
 * writes an append-only file: a Secret's `data` and `stringData` values are
 * stored sealed with the controller's key (`<state-dir>/secrets-key`) and
 * opened again when a rollback or a preview reads them. The values must come
 * back exactly (a rollback re-applies them), so they are encrypted rather
 * than replaced by digests; re-rendering an old revision from Git instead
 * would make a rollback depend on Git being reachable.
 */
export function sealSecrets(objects: KubeObject[], envelope: SecretEnvelope): KubeObject[] {
  return objects.map((o) => (o.kind === 'Secret' ? mapValues(o, (v) => envelope.encrypt(v)) : o));
}

export function openSecrets(objects: KubeObject[], envelope: SecretEnvelope): KubeObject[] {
  return objects.map((o) => (o.kind === 'Secret' ? mapValues(o, (v) => envelope.decrypt(v)) : o));
}

function mapValues(secret: KubeObject, fn: (value: string) => string): KubeObject {
  const out: KubeObject = { ...secret };
  for (const field of ['data', 'stringData'] as const) {
    const values = secret[field] as Record<string, unknown> | undefined;
    if (!values || typeof values !== 'object') continue;
    out[field] = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? fn(v) : v]));
  }
  return out;
}
