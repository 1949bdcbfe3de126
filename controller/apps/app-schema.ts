import { z } from 'zod';
import { DNS1123_LABEL } from '../../runtime/kube/dns-names.js';

// A DNS-1123 label: what Kubernetes allows for a namespace name, and baton for an app name.
const labelMessage = "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";

/** What the user wrote for one app, before defaults; every message completes "<field>: …". */
const str = (what = 'a string') => z.string({ error: (i) => (i.input === undefined ? 'is required' : `must be ${what}`) });
const label = () => str().max(63, { error: labelMessage }).regex(DNS1123_LABEL, { error: labelMessage });
const bool = () => z.boolean({ error: 'must be true or false' });
const valuesMap = () => z.record(z.string(), z.unknown(), { error: 'must be a map of values' });
const map = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape, { error: 'must be a map' });
const list = <T extends z.ZodType>(item: T) => z.array(item, { error: 'must be a list' });

const pruneLimitMessage = 'must be a number of objects (e.g. 5) or a percentage from 0% to 100% (e.g. "50%")';

export const syncPolicySchema = map({
  automated: bool().optional(),
  prune: bool().optional(),
  selfHeal: bool().optional(),
  allowEmpty: bool().optional(),
  pruneLimit: z.union([z.int({ error: pruneLimitMessage }).nonnegative({ error: pruneLimitMessage }), z.string().regex(/^(100|[1-9]?[0-9])%$/, { error: pruneLimitMessage })], { error: pruneLimitMessage }).optional(),
});

export const rolloutSchema = map({
  progressDeadlineSeconds: z
    .int({ error: 'must be a positive integer' })
    .positive({ error: 'must be a positive integer' })
    .optional(),
  autoRollback: bool().optional(),
});

export const previewSchema = map({
  enabled: bool().optional(),
  values: valuesMap().optional(),
});

/** Argo CD's `source.directory`: how a directory of plain manifests is read. */
export const directorySchema = map({
  recurse: bool().optional(),
  include: str('a glob, e.g. "*.yaml" or "{a.yaml,b/*}"').optional(),
  exclude: str('a glob, e.g. "*.yaml" or "{a.yaml,b/*}"').optional(),
});

const stringMap = () => z.record(z.string(), z.string({ error: 'must be a string (quote numbers and booleans)' }), { error: 'must be a map of strings' });

/** Argo CD's `source.kustomize`: applied over the app's kustomization. */
export const kustomizeSchema = map({
  images: list(str('an image override such as "nginx:1.25" or "nginx=registry.example/nginx:1.25"').min(1, { error: 'must not be empty' })).optional(),
  namePrefix: str().optional(),
  nameSuffix: str().optional(),
  commonLabels: stringMap().optional(),
  patches: list(
    map({
      patch: str('a patch (YAML or JSON 6902)').optional(),
      path: str('a file path, relative to the app\'s path').optional(),
      target: stringMap().optional(),
      options: z.record(z.string(), bool(), { error: 'must be a map of true/false options' }).optional(),
    }),
  ).optional(),
});

export const appSchema = map({
  name: label(),
  path: str('a repository path').optional(),
  chart: str('the name of a bundled chart')
    .regex(/^[a-z0-9][-a-z0-9_.]*$/, { error: 'must be the name of a chart in baton\'s charts/ directory (lowercase letters, digits, "-", "_", ".")' })
    .optional(),
  revision: str('a commit, branch or tag').min(1, { error: 'must not be empty' }).optional(),
  namespace: label().optional(),
  cluster: str('a cluster name').regex(/^\S+$/, { error: 'must be a cluster name: "local" or a kubeconfig context (no spaces)' }).optional(),
  values: list(str('a repository path')).optional(),
  set: valuesMap().optional(),
  syncPolicy: syncPolicySchema.optional(),
  rollout: rolloutSchema.optional(),
  dependsOn: list(str('an app name')).optional(),
  preview: previewSchema.optional(),
  directory: directorySchema.optional(),
  kustomize: kustomizeSchema.optional(),
  allowClusterResources: z.boolean({ error: 'must be true or false (true lets the app write cluster-scoped kinds such as Node or ClusterRole, and into kube-system, kube-public and kube-node-lease)' }).optional(),
});

export type AppInput = z.infer<typeof appSchema>;

/** Field names allowed in each map of an app, by the map's field (`''` for the app itself). */
export const knownFields: Record<string, readonly string[]> = {
  '': Object.keys(appSchema.shape),
  syncPolicy: Object.keys(syncPolicySchema.shape),
  rollout: Object.keys(rolloutSchema.shape),
  preview: Object.keys(previewSchema.shape),
  directory: Object.keys(directorySchema.shape),
  kustomize: Object.keys(kustomizeSchema.shape),
};
