import type { Cluster } from '../objects/cluster.js';
import type { KubeObject } from '../kube/object.js';
import { resources } from '../resources/registry.js';
import { ContainerConfigError } from './container-env.js';
import { isNotFound } from './is-not-found.js';
import type { VolumeFiles } from './projection.js';

/** A ConfigMap or Secret as a volume source: a whole volume, or one source of a projected volume. */
export interface KeySource {
  kind: 'configMap' | 'secret';
  name: string;
  items?: Array<{ key: string; path: string; mode?: number }>;
  optional?: boolean;
}

function decoded(obj: KubeObject, kind: KeySource['kind']): Map<string, Buffer> {
  const data = new Map<string, Buffer>();
  const [text, binary] = kind === 'secret' ? ['stringData', 'data'] : ['data', 'binaryData'];
  for (const [k, v] of Object.entries((obj[binary] ?? {}) as Record<string, string>)) data.set(k, Buffer.from(v, 'base64'));
  for (const [k, v] of Object.entries((obj[text] ?? {}) as Record<string, string>)) data.set(k, Buffer.from(v));
  return data;
}

/**
 * The files a ConfigMap or Secret gives: every key, or only `items` (each at
 * its path, with its own mode). A missing optional source gives none; a
 * missing key is an error unless the source is optional, as in Kubernetes.
 */
export async function keySourceFiles(cluster: Cluster, namespace: string, source: KeySource, defaultMode: number): Promise<VolumeFiles> {
  const files: VolumeFiles = new Map();
  let obj: KubeObject;
  try {
    obj = await cluster.get(source.kind === 'secret' ? resources.secrets : resources.configmaps, namespace, source.name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    if (source.optional) return files;
    throw new ContainerConfigError(`${source.kind === 'secret' ? 'secret' : 'configmap'} "${source.name}" not found`);
  }
  const data = decoded(obj, source.kind);
  if (!source.items?.length) {
    for (const [k, content] of data) files.set(k, { content, mode: defaultMode });
    return files;
  }
  for (const item of source.items) {
    const content = data.get(item.key);
    if (content) files.set(item.path, { content, mode: item.mode ?? defaultMode });
    else if (!source.optional) {
      throw new ContainerConfigError(source.kind === 'secret' ? `references non-existent secret key: ${item.key}` : `configmap references non-existent config key: ${item.key}`);
    }
  }
  return files;
}
