import type { RenderAppInput } from '../../renderer/index.js';

/** Argo CD's `source.directory`: `recurse` (default false), `include` and `exclude` globs. */
export type DirectoryOptions = NonNullable<RenderAppInput['directory']>;

/** Argo CD's `source.kustomize`: `images`, `namePrefix`, `nameSuffix`, `commonLabels`, `patches`. */
export type KustomizeOptions = NonNullable<RenderAppInput['kustomize']>;

/**
 * An Application as baton works with it: one entry of `baton.yaml` (or an
 * `--app` flag) with every default filled in. The parser validates user input
 * once; everything inside the controller takes an AppSpec as valid.
 */
export interface SyncPolicy {
  /** Sync on every new revision without a person asking. @defaultValue true */
  automated: boolean;
  /** Delete live objects the app no longer renders. @defaultValue true */
  prune: boolean;
  /** Re-apply when live objects drift from the rendered ones. @defaultValue true */
  selfHeal: boolean;
  /** Let a sync delete every live object of the app (a commit that empties it). @defaultValue false */
  allowEmpty: boolean;
  /** The most a sync may prune of the app's live objects, as `"N%"` or a number of objects. @defaultValue "50%" */
  pruneLimit: PruneLimit;
}

/** `syncPolicy.pruneLimit` as written: a percentage of the app's live objects (`"50%"`) or a number of objects. */
export type PruneLimit = string | number;

export interface RolloutPolicy {
  /** Seconds the health gate waits for workloads to become available. @defaultValue 120 */
  progressDeadlineSeconds: number;
  /** Re-apply the last healthy revision when the gate fails. @defaultValue true */
  autoRollback: boolean;
}

export interface PreviewPolicy {
  /** Whether pull/merge requests get a preview of this app. @defaultValue false */
  enabled: boolean;
  /** Values layered over the app's own for previews. @defaultValue {} */
  values: Record<string, unknown>;
}

/** What makes an app's preview differ from the app: given to templates as `preview.*`. */
export interface PreviewInstance {
  /** The declared app's name: the release name the chart renders with. */
  app: string;
  /** The pull/merge request number. */
  number: number;
  /** The request's source branch. */
  branch: string;
  /** The head commit. */
  sha: string;
  /** The preview's default host, `pr-N.<app>.localhost`. */
  host: string;
}

export interface AppSpec {
  /** DNS-1123 label, unique within a repository. */
  name: string;
  /** Id of the repository the app comes from (see RepositorySpec.id). */
  repository: string;
  /** Repository path holding plain manifests or a chart. Exactly one of `path` and `chart`. */
  path?: string;
  /** Name of a chart bundled with baton (its `charts/` directory). */
  chart?: string;
  /** Pin to this revision (commit, branch or tag) instead of following the repository's branch. */
  revision?: string;
  /** @defaultValue the app's name */
  namespace: string;
  /** `local` is the built-in runtime; others are kubeconfig contexts. @defaultValue 'local' */
  cluster: string;
  /** Repository-relative chart values files, lowest first. @defaultValue [] */
  values: string[];
  /** Inline values, applied after the values files. @defaultValue {} */
  set: Record<string, unknown>;
  syncPolicy: SyncPolicy;
  rollout: RolloutPolicy;
  /** Apps that must be Healthy before this one syncs. @defaultValue [] */
  dependsOn: string[];
  preview: PreviewPolicy;
  /** How `path` is read when it is a directory of plain manifests. @defaultValue undefined: top level only, every manifest */
  directory?: DirectoryOptions;
  /** Overrides applied over `path`'s kustomization. @defaultValue undefined: the kustomization as it is */
  kustomize?: KustomizeOptions;
  /**
   * Let the app write cluster-scoped kinds (Node, ClusterRole, StorageClass…, and
   * Namespaces other than its own) and objects in `kube-system`, `kube-public`
   * and `kube-node-lease` (controller/apply/cluster-resources.ts). @defaultValue false
   */
  allowClusterResources?: boolean;
  /**
   * Set when this spec is the preview of a declared app for one pull/merge
   * request (controller/previews builds it): the app renders under its
   * declared name into the preview's namespace. @defaultValue undefined: a declared app
   */
  instance?: PreviewInstance;
  /** Where the app is declared (a `baton.yaml` position, or `--app`), for messages; never part of what is rendered. */
  declaredAt?: { file: string; line: number; col: number };
}

export interface RepositorySpec {
  /** Stable id derived from the normalized URL or path; names the mirror in the state dir. */
  id: string;
  /** http(s) remote URL, or an absolute local path to a repository. */
  url: string;
  /** @defaultValue the remote HEAD's branch */
  branch?: string;
  /** Seconds between ref checks (±10% jitter). @defaultValue 30 */
  intervalSeconds: number;
  /** Name of the environment variable holding an access token. @defaultValue 'BATON_GIT_TOKEN' */
  tokenEnv?: string;
  /** File holding an access token (wins over tokenEnv). */
  tokenFile?: string;
}

export type SyncStatus = 'Synced' | 'OutOfSync' | 'Syncing' | 'Unknown';
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Missing' | 'Unknown';
