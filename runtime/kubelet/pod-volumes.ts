import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../objects/cluster.js';
import { claimVolumePath } from './claim-volume.js';
import { DNS1123_LABEL } from '../kube/dns-names.js';
import type { KubeObject } from '../kube/object.js';
import { ContainerConfigError } from './container-env.js';
import { downwardApiFiles } from './downward-api.js';
import { ensureEmptyDir, releaseMemoryVolumes } from './empty-dir.js';
import { expandVars } from './expand-vars.js';
import { hostPathSource } from './host-path.js';
import type { VolumeMount } from './pod-driver.js';
import { project, subPathInside, type VolumeFiles } from './projection.js';
import { caFiles, tokenFiles, withServiceAccountVolume, type PodTokens } from './service-account-volume.js';
import { keySourceFiles } from './volume-sources.js';

/** Volume kinds the built-in runtime provides, for both drivers. */
const SUPPORTED = ['configMap', 'secret', 'downwardAPI', 'projected', 'hostPath', 'emptyDir', 'persistentVolumeClaim'];
/** Kubernetes' default file mode for configMap, secret, downwardAPI and projected volumes. */
const DEFAULT_MODE = 0o644;

async function sourceFiles(cluster: Cluster, pod: KubeObject, source: any, defaultMode: number, tokens: PodTokens | undefined): Promise<VolumeFiles> {
  const ca = caFiles(source, defaultMode);
  if (ca) return ca;
  if (source.configMap) return keySourceFiles(cluster, pod.metadata.namespace!, { kind: 'configMap', ...source.configMap }, defaultMode);
  if (source.secret) return keySourceFiles(cluster, pod.metadata.namespace!, { kind: 'secret', ...source.secret }, defaultMode);
  if (source.downwardAPI) return downwardApiFiles(pod, source.downwardAPI.items, defaultMode);
  if (source.serviceAccountToken) return tokenFiles(tokens, pod, source.serviceAccountToken, defaultMode);
  throw new ContainerConfigError(`projected source ${Object.keys(source).join(', ') || '{}'} is not supported by the built-in runtime`);
}

async function projectedFiles(cluster: Cluster, pod: KubeObject, projected: any, tokens: PodTokens | undefined): Promise<VolumeFiles> {
  const defaultMode: number = projected.defaultMode ?? DEFAULT_MODE;
  const files: VolumeFiles = new Map();
  for (const source of projected.sources ?? []) {
    for (const [path, file] of await sourceFiles(cluster, pod, source, defaultMode, tokens)) files.set(path, file);
  }
  return files;
}

/** Makes one volume ready and returns the host path to bind-mount; `readOnly`: every container mounts it read-only. */
async function materialise(cluster: Cluster, pod: KubeObject, volume: any, kind: string, dir: string, protectedPaths: string[], tokens: PodTokens | undefined, readOnly: boolean): Promise<string> {
  const namespace = pod.metadata.namespace!;
  switch (kind) {
    case 'emptyDir':
      await ensureEmptyDir(dir, volume.emptyDir, pod);
      return dir;
    case 'hostPath':
      return hostPathSource(volume.hostPath.path, volume.hostPath.type, protectedPaths);
    case 'persistentVolumeClaim':
      return claimVolumePath(cluster, namespace, volume.persistentVolumeClaim.claimName, protectedPaths);
    case 'configMap':
      project(dir, await keySourceFiles(cluster, namespace, { kind, ...volume.configMap }, volume.configMap.defaultMode ?? DEFAULT_MODE), readOnly);
      return dir;
    case 'secret':
      project(dir, await keySourceFiles(cluster, namespace, { kind, ...volume.secret, name: volume.secret.secretName }, volume.secret.defaultMode ?? DEFAULT_MODE), readOnly);
      return dir;
    case 'downwardAPI':
      project(dir, downwardApiFiles(pod, volume.downwardAPI.items, volume.downwardAPI.defaultMode ?? DEFAULT_MODE), readOnly);
      return dir;
    default:
      project(dir, await projectedFiles(cluster, pod, volume.projected, tokens), readOnly);
      return dir;
  }
}

/**
 * Materialises the pod's volumes under `podDir/volumes/<name>` (file contents
 * are re-projected on every call, so edits show up in running pods) and
 * returns each container's mounts. Throws ContainerConfigError for missing
 * sources, failed hostPath checks or unsupported volume kinds.
 */
export async function syncVolumes(cluster: Cluster, given: KubeObject, podDir: string, protectedPaths: string[] = [], tokens?: PodTokens): Promise<Map<string, VolumeMount[]>> {
  const pod = tokens ? await withServiceAccountVolume(cluster, given, tokens.caCertificate) : given;
  const paths = new Map<string, string>();
  const readOnly = new Set<string>();
  // Owner-only: a volume's own files keep the modes the pod asks for (0644 by default), so its parent must not be.
  if (pod.spec?.volumes?.length) mkdirSync(join(podDir, 'volumes'), { recursive: true, mode: 0o700 });
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const writable = new Set(containers.flatMap((c: any) => (c.volumeMounts ?? []).filter((m: any) => !m.readOnly).map((m: any) => m.name)));
  for (const volume of pod.spec?.volumes ?? []) {
    if (volume.persistentVolumeClaim?.readOnly) readOnly.add(volume.name);
    const kind = SUPPORTED.find((k) => volume[k] !== undefined && volume[k] !== null);
    if (!kind) {
      const given = Object.keys(volume).filter((k) => k !== 'name').join(', ');
      throw new ContainerConfigError(`volume "${volume.name}": ${given || 'this kind'} is not supported by the built-in runtime (${SUPPORTED.join(', ')} are)`);
    }
    // A volume's name becomes a directory: one plain element (validation asks for a DNS label).
    if (typeof volume.name !== 'string' || !DNS1123_LABEL.test(volume.name)) throw new ContainerConfigError(`volume name ${JSON.stringify(volume.name)} is not a DNS label`);
    try {
      const readOnly = !writable.has(volume.name);
      paths.set(volume.name, await materialise(cluster, pod, volume, kind, join(podDir, 'volumes', volume.name), protectedPaths, tokens, readOnly));
    } catch (err) {
      // Worded as Kubernetes' FailedMount events, which users search for.
      if (err instanceof ContainerConfigError) throw new ContainerConfigError(`MountVolume.SetUp failed for volume "${volume.name}" : ${err.message}`);
      throw err;
    }
  }
  const mounts = new Map<string, VolumeMount[]>();
  for (const container of containers) {
    const list: VolumeMount[] = [];
    for (const m of container.volumeMounts ?? []) {
      const source = paths.get(m.name);
      if (!source) throw new ContainerConfigError(`volumeMount "${m.name}" of container "${container.name}" names no volume of the pod`);
      const mount: VolumeMount = { source, target: m.mountPath, readOnly: !!m.readOnly || readOnly.has(m.name) };
      // subPathExpr wins over subPath, as in the kubelet; both are taken when the container starts (resolveSubPath).
      if (typeof m.subPathExpr === 'string' && m.subPathExpr !== '') mount.subPathExpr = m.subPathExpr;
      else if (m.subPath) mount.subPath = String(m.subPath);
      list.push(mount);
    }
    mounts.set(container.name, list);
  }
  return mounts;
}

/**
 * A mount's subPath (or its `subPathExpr` expanded with the container's
 * environment, as the kubelet does: a variable that is not set, or empty, is a
 * "missing value") checked inside the volume and bind-mounted at `staging`,
 * the source the container then mounts.
 */
export async function resolveSubPath(mount: VolumeMount, env: Record<string, string>, staging: string): Promise<VolumeMount> {
  let subPath = mount.subPath;
  if (mount.subPathExpr !== undefined) {
    const missing = new Set<string>();
    subPath = expandVars(mount.subPathExpr, (name) => {
      if (!env[name]) missing.add(name);
      return env[name] ?? '';
    });
    if (missing.size > 0) throw new ContainerConfigError(`missing value for ${[...missing].sort().join(', ')}`);
  }
  if (subPath === undefined) return mount;
  return { source: await subPathInside(mount.source, subPath, staging), target: mount.target, readOnly: mount.readOnly };
}

/** Undoes what `syncVolumes` mounted on the host (memory-backed emptyDirs) before the pod's directory is removed. */
export function releaseVolumes(podDir: string): void {
  releaseMemoryVolumes(join(podDir, 'volumes'));
}
