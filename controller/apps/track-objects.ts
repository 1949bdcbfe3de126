import type { KubeObject } from '../../runtime/kube/object.js';

/** Set on every object baton applies; with APP_LABEL it finds an app's live objects (prune, diff). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'baton';
/** The app an object belongs to. */
export const APP_LABEL = 'baton.dev/app';
/** The commit the object was last changed by (bookkeeping: diff ignores it). */
export const REVISION_ANNOTATION = 'baton.dev/revision';
/** `sha256:` of the object as rendered, before these marks: equal digests, nothing to apply. */
export const DIGEST_ANNOTATION = 'baton.dev/digest';

/** The label selector for every live object of one app. */
export function appSelector(app: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${APP_LABEL}=${app}`;
}

/** What baton writes on an object it renders for an app. */
export interface Tracking {
  app: string;
  /** Commit the object was rendered from. */
  revision: string;
  /** Digest of the rendered object (RenderedObject.digest). */
  digest: string;
}

/**
 * A copy of `object` with baton's labels and annotations, which win over any
 * the user set. Only the object's own metadata is marked: pod templates and
 * selectors are left alone, so marking never changes a selector (immutable)
 * or rolls pods.
 */
export function trackObject(object: KubeObject, t: Tracking): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: { ...object.metadata.labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [APP_LABEL]: t.app },
      annotations: { ...object.metadata.annotations, [REVISION_ANNOTATION]: t.revision, [DIGEST_ANNOTATION]: t.digest },
    },
  };
}

/** The app a live object belongs to, when baton manages it. */
export function trackedApp(object: KubeObject): string | undefined {
  const labels = object.metadata.labels ?? {};
  return labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE ? labels[APP_LABEL] : undefined;
}
