import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { Cluster } from '../objects/cluster.js';
import type { KubeObject } from '../objects/types.js';
import { resources } from '../resources/registry.js';
import { ContainerConfigError } from './container-env.js';
import { isNotFound } from './is-not-found.js';
import type { VolumeMount } from './pod-driver.js';

/** Volume kinds the process driver can provide. */
const SUPPORTED = ['configMap', 'secret', 'emptyDir'];

/**
 * Writes `files` into `dir` and removes files it projected before that are no
 * longer wanted. Only its own files are removed (listed in `dir.files`): a
 * mount point made inside the volume for a nested mount must stay, as
 * unlinking it would undo that mount in the pod.
 */
function project(dir: string, files: Map<string, { content: Buffer; mode: number }>): void {
  mkdirSync(dir, { recursive: true });
  const manifest = `${dir}.files`;
  let before: string[] = [];
  try {
    before = JSON.parse(readFileSync(manifest, 'utf8')) as string[];
  } catch {
    before = [];
  }
  for (const [path, { content, mode }] of files) {
    const target = join(dir, normalize(path));
    let existing: Buffer | undefined;
    try {
      existing = readFileSync(target);
    } catch {
      existing = undefined;
    }
    if (existing && existing.equals(content)) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    chmodSync(target, mode);
  }
  for (const path of before) if (!files.has(path)) rmSync(join(dir, normalize(path)), { force: true });
  writeFileSync(manifest, JSON.stringify([...files.keys()]));
}

async function sourceFiles(cluster: Cluster, namespace: string, volume: any): Promise<Map<string, { content: Buffer; mode: number }> | undefined> {
  const isSecret = !!volume.secret;
  const src = volume.secret ?? volume.configMap;
  const name: string = isSecret ? src.secretName : src.name;
  let obj: KubeObject;
  try {
    obj = await cluster.get(isSecret ? resources.secrets : resources.configmaps, namespace, name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    if (src.optional) return new Map();
    throw new ContainerConfigError(`${isSecret ? 'secret' : 'configmap'} "${name}" not found`);
  }
  const data = new Map<string, Buffer>();
  if (isSecret) {
    for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>)) data.set(k, Buffer.from(v, 'base64'));
    for (const [k, v] of Object.entries((obj.stringData ?? {}) as Record<string, string>)) data.set(k, Buffer.from(v));
  } else {
    for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>)) data.set(k, Buffer.from(v));
    for (const [k, v] of Object.entries((obj.binaryData ?? {}) as Record<string, string>)) data.set(k, Buffer.from(v, 'base64'));
  }
  const defaultMode: number = src.defaultMode ?? 0o644;
  const files = new Map<string, { content: Buffer; mode: number }>();
  if (src.items?.length) {
    for (const item of src.items) {
      const content = data.get(item.key);
      if (!content) {
        if (src.optional) continue;
        throw new ContainerConfigError(`configmap references non-existent config key: ${item.key}`);
      }
      files.set(item.path, { content, mode: item.mode ?? defaultMode });
    }
  } else {
    for (const [k, content] of data) files.set(k, { content, mode: defaultMode });
  }
  return files;
}

/**
 * Materialises the pod's volumes under `podDir/volumes/<name>` (ConfigMap and
 * Secret contents are re-projected on every call, so edits show up in running
 * pods) and returns each container's mounts. Throws ContainerConfigError for
 * missing sources or unsupported volume kinds.
 */
export async function syncVolumes(cluster: Cluster, pod: KubeObject, podDir: string): Promise<Map<string, VolumeMount[]>> {
  const namespace = pod.metadata.namespace!;
  const paths = new Map<string, string>();
  for (const volume of pod.spec?.volumes ?? []) {
    const kind = SUPPORTED.find((k) => volume[k] !== undefined);
    if (!kind) {
      const given = Object.keys(volume).filter((k) => k !== 'name').join(', ');
      throw new ContainerConfigError(`volume "${volume.name}": ${given || 'this kind'} is not supported by the process driver (configMap, secret and emptyDir are)`);
    }
    const dir = join(podDir, 'volumes', volume.name);
    if (kind === 'emptyDir') mkdirSync(dir, { recursive: true });
    else project(dir, (await sourceFiles(cluster, namespace, volume))!);
    paths.set(volume.name, dir);
  }
  const mounts = new Map<string, VolumeMount[]>();
  for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const list: VolumeMount[] = [];
    for (const m of container.volumeMounts ?? []) {
      const source = paths.get(m.name);
      if (!source) throw new ContainerConfigError(`volumeMount "${m.name}" of container "${container.name}" names no volume of the pod`);
      list.push({ source: m.subPath ? join(source, normalize(m.subPath)) : source, target: m.mountPath, readOnly: !!m.readOnly });
    }
    mounts.set(container.name, list);
  }
  return mounts;
}
