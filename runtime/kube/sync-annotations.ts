/**
 * Argo CD's sync annotations (and Helm's hook annotations, as Argo CD maps
 * them), so a repository moves over unchanged:
 *
 * - `argocd.argoproj.io/hook: PreSync|Sync|PostSync|SyncFail|Skip` (a comma list);
 *   `helm.sh/hook`: pre-install/pre-upgrade → PreSync, post-install/post-upgrade
 *   → PostSync, crd-install → an ordinary object; the delete, rollback and test
 *   hooks of Helm are not run by a sync, so their objects are skipped.
 * - `argocd.argoproj.io/hook-delete-policy: HookSucceeded|HookFailed|BeforeHookCreation`
 *   (`helm.sh/hook-delete-policy: hook-succeeded|hook-failed|before-hook-creation`);
 *   none means BeforeHookCreation.
 * - `argocd.argoproj.io/sync-wave: "N"` (`helm.sh/hook-weight` for hooks): an
 *   integer, 0 by default; lower waves go first.
 */

export const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
export const HOOK_DELETE_POLICY_ANNOTATION = 'argocd.argoproj.io/hook-delete-policy';
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
export const HELM_HOOK_ANNOTATION = 'helm.sh/hook';
export const HELM_HOOK_DELETE_POLICY_ANNOTATION = 'helm.sh/hook-delete-policy';
export const HELM_HOOK_WEIGHT_ANNOTATION = 'helm.sh/hook-weight';

export type HookPhase = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail';
export type HookDeletePolicy = 'BeforeHookCreation' | 'HookSucceeded' | 'HookFailed';

/** What the annotations say of one object. */
export type SyncRole =
  | { kind: 'object'; wave: number }
  | { kind: 'skip' }
  | { kind: 'hook'; phases: HookPhase[]; deletePolicies: HookDeletePolicy[]; wave: number };

const PHASES: readonly HookPhase[] = ['PreSync', 'Sync', 'PostSync', 'SyncFail'];
const POLICIES: readonly HookDeletePolicy[] = ['BeforeHookCreation', 'HookSucceeded', 'HookFailed'];
const HELM_PHASES: Record<string, HookPhase | 'skip' | 'object'> = {
  'pre-install': 'PreSync',
  'pre-upgrade': 'PreSync',
  'post-install': 'PostSync',
  'post-upgrade': 'PostSync',
  'crd-install': 'object',
  'pre-delete': 'skip',
  'post-delete': 'skip',
  'pre-rollback': 'skip',
  'post-rollback': 'skip',
  test: 'skip',
  'test-success': 'skip',
  'test-failure': 'skip',
};
const HELM_POLICIES: Record<string, HookDeletePolicy> = {
  'before-hook-creation': 'BeforeHookCreation',
  'hook-succeeded': 'HookSucceeded',
  'hook-failed': 'HookFailed',
};

/** A wrong annotation: which one, and what is wrong with it. */
export class SyncAnnotationError extends Error {
  constructor(
    readonly annotation: string,
    message: string,
  ) {
    super(`annotation ${annotation}: ${message}`);
    this.name = 'SyncAnnotationError';
  }
}

const list = (value: string) => value.split(',').map((s) => s.trim()).filter((s) => s !== '');

/** The object's role in a sync; throws SyncAnnotationError for a value Argo CD would not accept either. */
export function syncRole(annotations: Readonly<Record<string, string>> | undefined): SyncRole {
  const a = annotations ?? {};
  const argoHook = a[HOOK_ANNOTATION];
  const helmHook = a[HELM_HOOK_ANNOTATION];
  if (argoHook !== undefined) {
    const names = list(argoHook);
    if (names.length === 0) throw new SyncAnnotationError(HOOK_ANNOTATION, `is empty; use one or more of ${[...PHASES, 'Skip'].join(', ')}`);
    for (const n of names) {
      if (n !== 'Skip' && !PHASES.includes(n as HookPhase)) {
        throw new SyncAnnotationError(HOOK_ANNOTATION, `"${n}" is not a hook baton runs; use ${[...PHASES, 'Skip'].join(', ')}${n === 'PreDelete' || n === 'PostDelete' ? ' (deletion hooks are not supported)' : ''}`);
      }
    }
    if (names.includes('Skip')) return { kind: 'skip' };
    return { kind: 'hook', phases: names as HookPhase[], deletePolicies: deletePolicies(a), wave: wave(a, SYNC_WAVE_ANNOTATION) };
  }
  if (helmHook !== undefined) {
    const mapped = list(helmHook).map((n) => {
      const m = HELM_PHASES[n];
      if (m === undefined) throw new SyncAnnotationError(HELM_HOOK_ANNOTATION, `"${n}" is not a Helm hook (${Object.keys(HELM_PHASES).join(', ')})`);
      return m;
    });
    const phases = [...new Set(mapped.filter((m): m is HookPhase => m !== 'skip' && m !== 'object'))];
    if (phases.length > 0) {
      const weight = a[SYNC_WAVE_ANNOTATION] !== undefined ? wave(a, SYNC_WAVE_ANNOTATION) : wave(a, HELM_HOOK_WEIGHT_ANNOTATION);
      return { kind: 'hook', phases, deletePolicies: deletePolicies(a), wave: weight };
    }
    if (mapped.includes('object')) return { kind: 'object', wave: wave(a, SYNC_WAVE_ANNOTATION) };
    return { kind: 'skip' };
  }
  return { kind: 'object', wave: wave(a, SYNC_WAVE_ANNOTATION) };
}

function deletePolicies(a: Readonly<Record<string, string>>): HookDeletePolicy[] {
  const argo = a[HOOK_DELETE_POLICY_ANNOTATION];
  const helm = a[HELM_HOOK_DELETE_POLICY_ANNOTATION];
  if (argo !== undefined) {
    const names = list(argo);
    for (const n of names) {
      if (!POLICIES.includes(n as HookDeletePolicy)) throw new SyncAnnotationError(HOOK_DELETE_POLICY_ANNOTATION, `"${n}" is not a delete policy; use ${POLICIES.join(', ')}`);
    }
    return names.length > 0 ? (names as HookDeletePolicy[]) : ['BeforeHookCreation'];
  }
  if (helm !== undefined) {
    const names = list(helm).map((n) => {
      const p = HELM_POLICIES[n];
      if (!p) throw new SyncAnnotationError(HELM_HOOK_DELETE_POLICY_ANNOTATION, `"${n}" is not a delete policy; use ${Object.keys(HELM_POLICIES).join(', ')}`);
      return p;
    });
    return names.length > 0 ? names : ['BeforeHookCreation'];
  }
  return ['BeforeHookCreation'];
}

function wave(a: Readonly<Record<string, string>>, annotation: string): number {
  const value = a[annotation];
  if (value === undefined) return 0;
  if (!/^\s*[-+]?\d{1,9}\s*$/.test(value)) throw new SyncAnnotationError(annotation, `"${value}" is not an integer`);
  return Number(value);
}
