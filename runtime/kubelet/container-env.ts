import { isNotFound } from './is-not-found.js';
import type { Cluster } from '../objects/cluster.js';
import type { KubeObject } from '../kube/object.js';
import { resources } from '../resources/registry.js';
import { expandVars } from './expand-vars.js';
import { getIfExists } from '../objects/get-if-exists.js';
import { serviceEnv } from './service-env.js';

/** A container whose configuration cannot be resolved yet (a missing ConfigMap, say): it waits with this reason. */
export class ContainerConfigError extends Error {
  readonly code = 'CreateContainerConfigError';
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

export interface ResolvedContainer {
  /** command + args, for drivers that run host programs; empty without a command. */
  argv: string[];
  /** command and args, each expanded, for image drivers that combine them with the image's Entrypoint and Cmd. */
  command?: string[];
  args?: string[];
  env: Record<string, string>;
}

type Source = { kind: 'configmap' | 'secret'; data: Record<string, string> } | undefined;

/** Reads ConfigMaps and Secrets once per container start, decoding Secret data. */
class SourceCache {
  private readonly cache = new Map<string, Source>();
  constructor(
    private readonly cluster: Cluster,
    private readonly namespace: string,
  ) {}

  async get(kind: 'configmap' | 'secret', name: string): Promise<Source> {
    const key = `${kind}/${name}`;
    if (!this.cache.has(key)) {
      try {
        const obj = await this.cluster.get(kind === 'configmap' ? resources.configmaps : resources.secrets, this.namespace, name);
        const data: Record<string, string> = {};
        if (kind === 'configmap') {
          Object.assign(data, obj.data ?? {});
          for (const [k, v] of Object.entries((obj.binaryData ?? {}) as Record<string, string>)) data[k] = Buffer.from(v, 'base64').toString('utf8');
        } else {
          for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>)) data[k] = Buffer.from(v, 'base64').toString('utf8');
          Object.assign(data, obj.stringData ?? {});
        }
        this.cache.set(key, { kind, data });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.cache.set(key, undefined);
      }
    }
    return this.cache.get(key);
  }
}

function fieldRef(pod: KubeObject, podIP: string, path: string): string {
  switch (path) {
    case 'metadata.name': return pod.metadata.name!;
    case 'metadata.namespace': return pod.metadata.namespace!;
    case 'metadata.uid': return pod.metadata.uid!;
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? 'default';
    case 'status.podIP': return podIP;
    case 'status.hostIP': return '127.0.0.1';
  }
  const label = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (label) return (pod.metadata[label[1]] as Record<string, string> | undefined)?.[label[2]] ?? '';
  throw new ContainerConfigError(`unsupported fieldRef fieldPath "${path}"`);
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * The container's environment and argv as the kubelet builds them: envFrom
 * first, env over it (each value expanded against what came before and the
 * runtime's own variables), then the runtime variables not already set;
 * command and args are expanded against the result.
 */
export async function resolveContainer(cluster: Cluster, pod: KubeObject, container: any, podIP: string): Promise<ResolvedContainer> {
  const namespace = pod.metadata.namespace!;
  const sources = new SourceCache(cluster, namespace);
  const runtimeEnv: Record<string, string> = {};
  // The `kubernetes` Service of `default` is always given (KUBERNETES_SERVICE_HOST for in-cluster clients), even without service links.
  const own = pod.spec?.enableServiceLinks !== false ? (await cluster.list(resources.services, { namespace })).items : [];
  const master = own.some((s) => s.metadata.name === 'kubernetes') ? undefined : await getIfExists(cluster, resources.services, 'default', 'kubernetes');
  Object.assign(runtimeEnv, serviceEnv(master ? [master, ...own] : own));
  const firstPort = (container.ports ?? [])[0]?.containerPort;
  // HOSTNAME is what a container runtime sets to the pod's hostname.
  Object.assign(runtimeEnv, { HOSTNAME: pod.spec?.hostname ?? pod.metadata.name!, POD_IP: podIP, POD_NAME: pod.metadata.name!, POD_NAMESPACE: namespace }, firstPort ? { PORT: String(firstPort) } : {});

  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const kind = from.configMapRef ? 'configmap' : 'secret';
    const source = await sources.get(kind, ref.name);
    if (!source) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${kind} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(source.data)) {
      const name = `${from.prefix ?? ''}${k}`;
      if (ENV_NAME.test(name)) env[name] = v;
    }
  }
  const lookup = (name: string): string | undefined => env[name] ?? runtimeEnv[name];
  for (const e of container.env ?? []) {
    if (e.value !== undefined && e.value !== '') {
      env[e.name] = expandVars(e.value, lookup);
    } else if (e.valueFrom?.fieldRef) {
      env[e.name] = fieldRef(pod, podIP, e.valueFrom.fieldRef.fieldPath);
    } else if (e.valueFrom?.configMapKeyRef || e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.configMapKeyRef ?? e.valueFrom.secretKeyRef;
      const kind = e.valueFrom.configMapKeyRef ? 'configmap' : 'secret';
      const source = await sources.get(kind, ref.name);
      const value = source?.data[ref.key];
      if (value !== undefined) env[e.name] = value;
      else if (!ref.optional) {
        throw new ContainerConfigError(source
          ? `couldn't find key ${ref.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${namespace}/${ref.name}`
          : `${kind} "${ref.name}" not found`);
      }
    } else if (e.valueFrom?.resourceFieldRef) {
      throw new ContainerConfigError(`env ${e.name}: resourceFieldRef is not supported by the built-in runtime`);
    } else {
      env[e.name] = '';
    }
  }
  for (const [k, v] of Object.entries(runtimeEnv)) if (!(k in env)) env[k] = v;

  const final = (name: string): string | undefined => env[name];
  const expand = (list: unknown[] | undefined): string[] | undefined => list?.map((a) => expandVars(String(a), final));
  const command = expand(container.command);
  const args = expand(container.args);
  // Without command, args alone run, as in an image without ENTRYPOINT (busybox, alpine): `kubectl run x -- sh -c …`.
  return { argv: command?.length ? [...command, ...(args ?? [])] : (args ?? []), command, args, env };
}
