import type { KubeObject } from '../../../runtime/kube/object.js';
import { REVISION_ANNOTATION } from '../../apps/track-objects.js';

/** Metadata the cluster writes; never a user's declaration. */
const clusterMetadata = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** Annotations written by controllers and clients, or baton's own bookkeeping that is not content. */
function ignoredAnnotation(key: string): boolean {
  return key.startsWith('deployment.kubernetes.io/') || key === 'kubectl.kubernetes.io/last-applied-configuration' || key === REVISION_ANNOTATION;
}

/**
 * The part of an object the diff compares: no status, apiVersion or kind
 * (identity is compared apart), no cluster-written metadata or annotations.
 * A Secret's `stringData` is folded into `data` (base64) as the API server
 * does, so a declared `stringData` compares with the live `data`.
 */
export function declaredPart(object: KubeObject): Record<string, unknown> {
  const { status: _status, apiVersion: _a, kind: _k, metadata, ...rest } = object;
  const meta: Record<string, unknown> = { ...metadata };
  for (const k of clusterMetadata) delete meta[k];
  if (meta.annotations) {
    const kept = Object.entries(meta.annotations as Record<string, string>).filter(([k]) => !ignoredAnnotation(k));
    if (kept.length > 0) meta.annotations = Object.fromEntries(kept);
    else delete meta.annotations;
  }
  const out: Record<string, unknown> = { ...rest, metadata: meta };
  if (object.kind === 'Secret' && isStringMap(object.stringData)) {
    const data: Record<string, unknown> = { ...(isStringMap(object.data) ? object.data : {}) };
    for (const [k, v] of Object.entries(object.stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
    out.data = data;
    delete out.stringData;
  }
  return out;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}
