import type { AppSpec } from './app-spec.js';
import { appSchema, knownFields, type AppInput } from './app-schema.js';
import { ConfigError, type ConfigErrorCode } from './config-error.js';
import { closestName, formatFieldPath, type FieldPath, type Position } from './field-path.js';
import { isPreviewNamespace, reservedNamespaceReason } from './preview-names.js';

/** Where one app's declaration sits, so every error can point into it. */
export interface AppSite {
  /** `baton.yaml`, or `--app` for a flag. */
  file: string;
  /** Path of the app's map in the file, e.g. `['apps', 3]`; `[]` when the whole text is the app. */
  prefix: FieldPath;
  /** Position of the key or the value at `path` (relative to the app), or of its nearest existing parent. */
  locate(path: FieldPath, at: 'key' | 'value'): Position;
}

/**
 * Validates one app as the user wrote it and fills in the defaults. Problems
 * are appended to `errors` (all of them, not just the first); the app is
 * returned only when it has none. Checks that need the other apps
 * (unique names, dependsOn) are `checkAppSet`'s.
 */
export function validateApp(raw: unknown, site: AppSite, repository: string, errors: ConfigError[]): AppSpec | undefined {
  const before = errors.length;
  const fail = (code: ConfigErrorCode, path: FieldPath, at: 'key' | 'value', message: string, extra?: Record<string, unknown>) =>
    errors.push(ConfigError.at(code, { file: site.file, ...site.locate(path, at) }, formatFieldPath([...site.prefix, ...path]), message, extra));

  const parsed = appSchema.safeParse(raw);
  for (const issue of parsed.error?.issues ?? []) {
    const path = issue.path as (string | number)[];
    if (issue.code === 'unrecognized_keys') {
      const known = knownFields[path.length === 0 ? '' : String(path[path.length - 1])] ?? [];
      for (const key of issue.keys) {
        const hint = closestName(key, known);
        fail('UNKNOWN_FIELD', [...path, key], 'key', `unknown field${hint ? ` (did you mean "${hint}"?)` : `; known fields: ${known.join(', ')}`}`, { field: key });
      }
    } else if (issue.message === 'is required') {
      // app-schema words an absent required field exactly so.
      fail('MISSING_FIELD', path, 'value', issue.message);
    } else {
      fail('INVALID_VALUE', path, 'value', issue.message);
    }
  }
  // The checks below look at the raw map too, so one pass reports every mistake.
  const input = (parsed.data ?? (raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw : {})) as AppInput;
  if ((input.path === undefined) === (input.chart === undefined)) {
    if (input.path === undefined) fail('MISSING_FIELD', [], 'value', 'needs exactly one of path (manifests or a chart in the repository) or chart (a chart bundled with baton)');
    else fail('INVALID_VALUE', ['chart'], 'key', 'give path or chart, not both');
  }
  if (input.directory !== undefined && input.chart !== undefined) fail('INVALID_VALUE', ['directory'], 'key', 'applies to a path (a directory of manifests), not a bundled chart');
  if (input.kustomize !== undefined && input.chart !== undefined) fail('INVALID_VALUE', ['kustomize'], 'key', 'applies to a path holding a kustomization.yaml, not a bundled chart');
  if (input.kustomize !== undefined && input.directory !== undefined) fail('INVALID_VALUE', ['directory'], 'key', 'give directory (plain manifests) or kustomize (a Kustomize app), not both');
  for (const [i, p] of (Array.isArray(input.kustomize?.patches) ? input.kustomize.patches : []).entries()) {
    if (p && typeof p === 'object' && (p.patch === undefined) === (p.path === undefined)) fail('INVALID_VALUE', ['kustomize', 'patches', i], 'value', 'needs exactly one of patch (inline) or path (a file)');
  }
  // Only a preview's sync may write into pr-N (controller/previews); an app's namespace defaults to its name.
  if (typeof input.namespace === 'string' && isPreviewNamespace(input.namespace)) fail('INVALID_VALUE', ['namespace'], 'value', `${reservedNamespaceReason(input.namespace)}: choose another namespace`);
  else if (input.namespace === undefined && typeof input.name === 'string' && isPreviewNamespace(input.name)) {
    fail('INVALID_VALUE', ['name'], 'value', `the app's namespace defaults to its name, and ${reservedNamespaceReason(input.name)}: set namespace to another`);
  }
  const path = typeof input.path === 'string' ? checkRepoPath(input.path, ['path'], fail) : undefined;
  const values = Array.isArray(input.values) ? input.values.map((v, i) => (typeof v === 'string' ? checkRepoPath(v, ['values', i], fail) : '')) : [];
  if (errors.length > before || !parsed.success) return undefined;
  return {
    name: input.name,
    repository,
    ...(path !== undefined ? { path } : { chart: input.chart }),
    ...(input.revision !== undefined ? { revision: input.revision } : {}),
    namespace: input.namespace ?? input.name,
    cluster: input.cluster ?? 'local',
    values,
    set: input.set ?? {},
    syncPolicy: {
      automated: input.syncPolicy?.automated ?? true,
      prune: input.syncPolicy?.prune ?? true,
      selfHeal: input.syncPolicy?.selfHeal ?? true,
      allowEmpty: input.syncPolicy?.allowEmpty ?? false,
      pruneLimit: input.syncPolicy?.pruneLimit ?? '50%',
    },
    rollout: {
      progressDeadlineSeconds: input.rollout?.progressDeadlineSeconds ?? 120,
      autoRollback: input.rollout?.autoRollback ?? true,
    },
    dependsOn: [...new Set(input.dependsOn ?? [])],
    preview: { enabled: input.preview?.enabled ?? false, values: input.preview?.values ?? {} },
    ...(input.directory !== undefined ? { directory: input.directory } : {}),
    ...(input.kustomize !== undefined ? { kustomize: input.kustomize } : {}),
    ...(input.allowClusterResources ? { allowClusterResources: true } : {}),
    declaredAt: { file: site.file, ...site.locate([], 'value') },
  };
}

/** A repository-relative path without `.`, empty segments or a trailing `/`; never absolute, never `..`. */
function checkRepoPath(value: string, at: FieldPath, fail: (code: ConfigErrorCode, path: FieldPath, at: 'key' | 'value', message: string) => void): string {
  const p = value.replace(/\\/g, '/');
  const segments = p.split('/').filter((s) => s !== '' && s !== '.');
  if (p.startsWith('/') || /^[a-zA-Z]:\//.test(p)) fail('INVALID_VALUE', at, 'value', `must be relative to the repository root, not an absolute path ("${value}")`);
  else if (segments.includes('..')) fail('INVALID_VALUE', at, 'value', `must stay inside the repository: ".." is not allowed ("${value}")`);
  else if (segments.length === 0) fail('INVALID_VALUE', at, 'value', 'must name a file or directory inside the repository, not its root');
  return segments.join('/');
}
