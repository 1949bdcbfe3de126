import type { KubeObject } from '../kube/object.js';
import { ContainerConfigError } from './container-env.js';
import { localNodeResources } from './node-registration.js';
import type { VolumeFiles } from './projection.js';
import { cpuMillis, memoryBytes } from '../kube/quantity.js';

/** Go's %q, which Kubernetes uses for label and annotation values in downward API files. */
export function goQuote(value: string): string {
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };
  let out = '';
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (named[ch]) out += named[ch];
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c !== 0x20 && /[\p{C}\p{Z}]/u.test(ch)) out += c < 0x10000 ? `\\u${c.toString(16).padStart(4, '0')}` : `\\U${c.toString(16).padStart(8, '0')}`;
    else out += ch;
  }
  return `"${out}"`;
}

/** Kubernetes' fieldpath.FormatMap: `key="value"` lines sorted by key, no newline after the last. */
export function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(map![k])}`)
    .join('\n');
}

function fieldValue(pod: KubeObject, path: string): string {
  switch (path) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'metadata.labels': return formatMap(pod.metadata.labels);
    case 'metadata.annotations': return formatMap(pod.metadata.annotations);
  }
  const subscript = /^metadata\.(labels|annotations)\['(.*)'\]$/s.exec(path);
  if (subscript) return (pod.metadata[subscript[1]] as Record<string, string> | undefined)?.[subscript[2]] ?? '';
  throw new ContainerConfigError(`unsupported fieldRef fieldPath "${path}" in a downwardAPI volume`);
}

/**
 * A container's resource in units of `divisor`, rounded up. Unset limits are
 * the node's allocatable (as the kubelet merges them); unset requests are the
 * limit, as API defaulting would have set them, else zero.
 */
function resourceValue(pod: KubeObject, ref: any): string {
  const container = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c: any) => c.name === ref.containerName);
  if (!container) throw new ContainerConfigError(`container ${ref.containerName} not found`);
  const [kind, resource] = String(ref.resource).split('.');
  if ((kind !== 'limits' && kind !== 'requests') || (resource !== 'cpu' && resource !== 'memory')) {
    throw new ContainerConfigError(`unsupported resourceFieldRef resource "${ref.resource}" in a downwardAPI volume`);
  }
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const given = kind === 'limits' ? limits[resource] : (requests[resource] ?? limits[resource]);
  const divisor = ref.divisor === undefined || ref.divisor === null || ref.divisor === '0' ? '1' : ref.divisor;
  const node = localNodeResources('');
  try {
    if (resource === 'cpu') {
      const millis = given !== undefined && cpuMillis(given) > 0 ? cpuMillis(given) : kind === 'limits' ? node.cpuMillis : 0;
      return String(Math.ceil(millis / cpuMillis(divisor)));
    }
    const bytes = given !== undefined && memoryBytes(given) > 0 ? memoryBytes(given) : kind === 'limits' ? node.memoryBytes : 0;
    return String(Math.ceil(bytes / memoryBytes(divisor)));
  } catch (err) {
    throw new ContainerConfigError(`resourceFieldRef ${ref.resource}: ${(err as Error).message}`);
  }
}

/** The files of a downwardAPI volume (or projected source), each with its mode. */
export function downwardApiFiles(pod: KubeObject, items: any[] | undefined, defaultMode: number): VolumeFiles {
  const files: VolumeFiles = new Map();
  for (const item of items ?? []) {
    let value: string;
    if (item.fieldRef) value = fieldValue(pod, item.fieldRef.fieldPath);
    else if (item.resourceFieldRef) value = resourceValue(pod, item.resourceFieldRef);
    else throw new ContainerConfigError(`downwardAPI item "${item.path}" has neither fieldRef nor resourceFieldRef`);
    files.set(item.path, { content: Buffer.from(value), mode: item.mode ?? defaultMode });
  }
  return files;
}
