/**
 * How a preview is named. A preview of pull/merge request N lives in
 * namespace `pr-N`; each app of it is tracked as its own app named
 * `pr-N.<app>`. The dot keeps the two apart: app names are DNS-1123 labels
 * (no dots), so a preview's name can never be a declared app's, and it is
 * still a valid label value (prune finds objects by it).
 */
const PREVIEW_APP = /^pr-([1-9][0-9]{0,9})\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;

/** Exactly the names previewNamespace makes of a request number: `pr-7`, never `pr-07` or `pr-0`. */
const PREVIEW_NAMESPACE = /^pr-[1-9][0-9]*$/;

/**
 * Whether `namespace` is reserved for a pull request's preview: an app's own
 * objects there would be mixed with (and pruned by, or prune) the preview's.
 */
export function isPreviewNamespace(namespace: string): boolean {
  return PREVIEW_NAMESPACE.test(namespace);
}

/** Why `namespace` may not be an app's own: it names the preview of a request. */
export function reservedNamespaceReason(namespace: string): string {
  return `namespace "${namespace}" is reserved for the preview of pull/merge request #${namespace.slice(3)} (previews live in pr-<number>)`;
}

/** The namespace every app of the preview of request `number` is synced into. */
export function previewNamespace(number: number): string {
  return `pr-${number}`;
}

/** The name the preview of `app` for request `number` is tracked by (state, queue, history). */
export function previewAppName(number: number, app: string): string {
  return `${previewNamespace(number)}.${app}`;
}

/**
 * `{number, app}` for a preview app's name; undefined for any other name.
 * Code asks an app's recorded origin (`appOrigin` in controller/state/app-status.ts), which
 * falls back to this only for statuses kept before origins were recorded.
 */
export function parsePreviewAppName(name: string): { number: number; app: string } | undefined {
  const m = PREVIEW_APP.exec(name);
  return m ? { number: Number(m[1]), app: m[2] } : undefined;
}

/** The preview's host for a production host `H`: `pr-N.H`, so `catalog.localhost` becomes `pr-7.catalog.localhost`. */
export function previewHost(number: number, host: string): string {
  return `${previewNamespace(number)}.${host}`;
}
