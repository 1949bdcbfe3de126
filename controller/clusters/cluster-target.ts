import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { CoreV1Api, KubeConfig, type KubernetesObjectApi, Watch } from './kube-client.js';
import { PlainObjectApi } from './plain-object-api.js';
import { KeepAliveKubeConfig } from './keep-alive-kube-config.js';
import { ClusterConfigError } from './cluster-config-error.js';

/**
 * One cluster baton writes to and watches, through @kubernetes/client-node
 * only, so the built-in runtime and a real Kubernetes cluster are driven by
 * the very same code.
 */
export interface ClusterTarget {
  /** The name apps use for it: `local`, or a kubeconfig context. */
  name: string;
  kubeConfig: KubeConfig;
  /** Generic create/read/patch/list/delete of any served kind; answers are the API server's JSON (timestamps as text), not typed models (plain-object-api.ts). */
  objects: KubernetesObjectApi;
  /** Typed core API, for what the generic client cannot do (pod logs, events). */
  core: CoreV1Api;
  watch: Watch;
}

/** The name of the built-in runtime's cluster. */
export const LOCAL_CLUSTER = 'local';

/** A target from a kubeconfig file, using `context` or the file's current context. */
export function clusterTargetFromKubeconfig(file: string, options: { context?: string; name?: string } = {}): ClusterTarget {
  const kubeConfig = new KeepAliveKubeConfig();
  try {
    kubeConfig.loadFromFile(file);
  } catch (err) {
    throw new ClusterConfigError('BAD_KUBECONFIG', `cannot read kubeconfig ${file}: ${(err as Error).message}`, { kubeconfig: file }, { cause: err });
  }
  return targetFrom(kubeConfig, options.name ?? options.context ?? kubeConfig.getCurrentContext(), options.context, [file]);
}

function targetFrom(kubeConfig: KubeConfig, name: string, context: string | undefined, files: string[]): ClusterTarget {
  if (context !== undefined) {
    if (!kubeConfig.getContextObject(context)) {
      const known = kubeConfig.getContexts().map((c) => c.name);
      throw new ClusterConfigError(
        'UNKNOWN_CLUSTER',
        `cluster "${name}" is not a context in ${files.join(', ')}; known contexts: ${known.length ? known.join(', ') : '(none)'}`,
        { cluster: name, kubeconfig: files.join(delimiter) },
      );
    }
    kubeConfig.setCurrentContext(context);
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new ClusterConfigError('BAD_KUBECONFIG', `cluster "${name}": kubeconfig ${files.join(', ')} has no current cluster`, { cluster: name });
  }
  return {
    name,
    kubeConfig,
    objects: PlainObjectApi.makeApiClient(kubeConfig),
    core: kubeConfig.makeApiClient(CoreV1Api),
    watch: new Watch(kubeConfig),
  };
}

export interface ClusterTargetsOptions {
  /**
   * The built-in runtime's kubeconfig, the target named `local`.
   * @defaultValue `<stateDir>/kubeconfig`
   */
  localKubeconfig?: string;
  /**
   * baton's state dir, where `baton up` / `baton runtime` write the runtime's kubeconfig.
   * @defaultValue '.baton'
   */
  stateDir?: string;
  /**
   * Kubeconfig files for the other cluster names, joined by the path delimiter (`:`), merged as kubectl does.
   * @defaultValue `$KUBECONFIG`, else `~/.kube/config`
   */
  kubeconfig?: string;
}

export interface ClusterTargets {
  /** The target named `name`; throws ClusterConfigError naming it when no such cluster is configured. */
  get(name: string): ClusterTarget;
}

/**
 * Resolves cluster names as apps give them: `local` is the built-in runtime,
 * any other name is a context of the user's kubeconfig. Files are re-read
 * when they change (a restarted runtime rewrites its kubeconfig).
 */
export function clusterTargets(options: ClusterTargetsOptions = {}): ClusterTargets {
  const localFile = resolve(options.localKubeconfig ?? join(options.stateDir ?? '.baton', 'kubeconfig'));
  const files = (options.kubeconfig ?? process.env.KUBECONFIG ?? join(homedir(), '.kube', 'config'))
    .split(delimiter)
    .filter(Boolean)
    .map((f) => resolve(f));
  const cache = new Map<string, { stamp: string; target: ClusterTarget }>();

  const cached = (name: string, watched: string[], make: () => ClusterTarget): ClusterTarget => {
    const stamp = watched.map(modifiedStamp).join(',');
    const hit = cache.get(name);
    if (hit && hit.stamp === stamp) return hit.target;
    const target = make();
    cache.set(name, { stamp, target });
    return target;
  };

  return {
    get(name) {
      if (name === LOCAL_CLUSTER) {
        if (modifiedStamp(localFile) === 'missing') {
          throw new ClusterConfigError('LOCAL_RUNTIME_NOT_READY', `cluster "local": the built-in runtime's kubeconfig ${localFile} does not exist (is the runtime running?)`, {
            cluster: name,
            kubeconfig: localFile,
          });
        }
        return cached(name, [localFile], () => clusterTargetFromKubeconfig(localFile, { name }));
      }
      return cached(name, files, () => targetFrom(loadMerged(name, files), name, name, files));
    },
  };
}

function loadMerged(name: string, files: string[]): KubeConfig {
  const present = files.filter((f) => modifiedStamp(f) !== 'missing');
  if (present.length === 0) {
    throw new ClusterConfigError('UNKNOWN_CLUSTER', `cluster "${name}" is not configured: no kubeconfig at ${files.join(', ') || '(none given)'}`, { cluster: name });
  }
  const [first, ...rest] = present.map((file) => {
    const one = new KeepAliveKubeConfig();
    try {
      one.loadFromFile(file);
    } catch (err) {
      throw new ClusterConfigError('BAD_KUBECONFIG', `cannot read kubeconfig ${file}: ${(err as Error).message}`, { cluster: name, kubeconfig: file }, { cause: err });
    }
    return one;
  });
  // As kubectl: the first file that sets a name wins.
  for (const one of rest) mergeMissing(first, one);
  return first;
}

function mergeMissing(into: KubeConfig, from: KubeConfig): void {
  for (const c of from.getClusters()) if (!into.getCluster(c.name)) into.addCluster(c);
  for (const u of from.getUsers()) if (!into.getUser(u.name)) into.addUser(u);
  for (const c of from.getContexts()) if (!into.getContextObject(c.name)) into.addContext(c);
}

function modifiedStamp(file: string): string {
  try {
    const st = statSync(file);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return 'missing';
  }
}
