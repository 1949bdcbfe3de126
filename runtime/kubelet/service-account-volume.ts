import { mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Cluster } from '../objects/cluster.js';
import { getIfExists } from '../objects/get-if-exists.js';
import type { KubeObject } from '../kube/object.js';
import { resources } from '../resources/registry.js';
import { ContainerConfigError } from './container-env.js';
import type { VolumeFiles } from './projection.js';

/** Where Kubernetes mounts a pod's API credentials. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** What the ServiceAccount admission plugin asks for (an hour and 7 s, so the kubelet's token is told apart from a TokenRequest's). */
const EXPIRATION_SECONDS = 3607;

/** The API's side of the kubelet's token requests: issues pod-bound tokens and knows the CA clients verify the API with. */
export interface ServiceAccountTokenSource {
  /** A token for the pod's ServiceAccount, bound to the pod. Throws a NotFound StatusError for a missing account. */
  issue(pod: KubeObject, audiences: string[] | undefined, expirationSeconds: number): Promise<{ token: string; expiresAt: number }>;
  /** PEM of the API's serving certificate (the `ca.crt` pods trust). */
  caCertificate: string;
}

/** Marks the projected source of `ca.crt` (Kubernetes reads it from the `kube-root-ca.crt` ConfigMap); a symbol, so no stored spec can name it. */
export const CA_SOURCE = Symbol('ca.crt');

/** The files of the `ca.crt` source. */
export function caFiles(source: any, defaultMode: number): VolumeFiles | undefined {
  const pem = source?.[CA_SOURCE];
  return typeof pem === 'string' ? new Map([['ca.crt', { content: Buffer.from(pem), mode: defaultMode }]]) : undefined;
}

/** A pod's tokens, reissued once 80% of their life has passed, as the kubelet's token manager does. */
export class PodTokens {
  private readonly cache = new Map<string, { token: string; issuedAt: number; expiresAt: number }>();

  constructor(private readonly source: ServiceAccountTokenSource) {}

  get caCertificate(): string {
    return this.source.caCertificate;
  }

  async token(pod: KubeObject, audience: string | undefined, expirationSeconds: number): Promise<string> {
    const key = `${pod.metadata.uid}/${pod.spec?.serviceAccountName ?? 'default'}/${audience ?? ''}/${expirationSeconds}`;
    const now = Date.now();
    const held = this.cache.get(key);
    if (held && now < held.issuedAt + 0.8 * (held.expiresAt - held.issuedAt)) return held.token;
    try {
      const { token, expiresAt } = await this.source.issue(pod, audience ? [audience] : undefined, expirationSeconds);
      this.cache.set(key, { token, issuedAt: now, expiresAt });
      return token;
    } catch (err) {
      if ((err as { code?: unknown }).code === 404) throw new ContainerConfigError(`failed to fetch token: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Forgets the tokens of pods no longer on the node. */
  forget(podUid: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${podUid}/`)) this.cache.delete(key);
  }
}

/** The files of a projected `serviceAccountToken` source. */
export async function tokenFiles(tokens: PodTokens | undefined, pod: KubeObject, source: any, defaultMode: number): Promise<VolumeFiles> {
  if (!tokens) throw new ContainerConfigError('projected serviceAccountToken: service account tokens are not served by this runtime');
  const token = await tokens.token(pod, source.audience || undefined, source.expirationSeconds ?? EXPIRATION_SECONDS);
  return new Map([[String(source.path), { content: Buffer.from(token), mode: source.mode ?? defaultMode }]]);
}

/** `kube-api-access-` and five characters from the pod's uid (Kubernetes picks five at random; the kubelet here must name it the same on every sync). */
function volumeName(pod: KubeObject): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = createHash('sha256').update(String(pod.metadata.uid)).digest();
  return `kube-api-access-${[...digest.subarray(0, 5)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

/**
 * The ServiceAccount admission plugin's volume, added by the kubelet to every
 * pod it runs (pods made by controllers never pass the API's admission): a
 * projected volume with the token, `ca.crt` and `namespace`, mounted read-only
 * at /var/run/secrets/kubernetes.io/serviceaccount in every container that
 * mounts nothing there, unless the pod or its ServiceAccount sets
 * `automountServiceAccountToken: false`, or whose ServiceAccount does not
 * exist. The stored pod spec is left as it was.
 */
export async function withServiceAccountVolume(cluster: Cluster, pod: KubeObject, caCertificate: string): Promise<KubeObject> {
  const spec = pod.spec ?? {};
  if (spec.automountServiceAccountToken === false) return pod;
  const saName = spec.serviceAccountName || 'default';
  const sa = await getIfExists(cluster, resources.serviceaccounts, pod.metadata.namespace, saName);
  // Kubernetes' admission refuses a pod whose account does not exist; pods made past admission (or before the account) run without credentials.
  if (!sa) return pod;
  if (spec.automountServiceAccountToken === undefined && sa.automountServiceAccountToken === false) return pod;
  if (!caCertificate) throw new ContainerConfigError('the API serving certificate is not ready yet');
  const name = volumeName(pod);
  const mount = { name, mountPath: SERVICE_ACCOUNT_MOUNT_PATH, readOnly: true };
  const addMount = (c: any) => ((c.volumeMounts ?? []).some((m: any) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH) ? c : { ...c, volumeMounts: [...(c.volumeMounts ?? []), mount] });
  const volume = {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: EXPIRATION_SECONDS, path: 'token' } },
        { [CA_SOURCE]: caCertificate },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
  return {
    ...pod,
    spec: {
      ...spec,
      volumes: [...(spec.volumes ?? []), volume],
      containers: (spec.containers ?? []).map(addMount),
      ...(spec.initContainers ? { initContainers: spec.initContainers.map(addMount) } : {}),
    },
  };
}

/**
 * Process pods bind volumes only at mount points that exist on the host (they
 * make nothing there), so the node makes this one empty directory once, for
 * every pod's credentials. Nothing is ever written in it on the host. Returns
 * a warning when it cannot be made (then process pods that mount credentials fail to start).
 */
export function ensureHostMountPoint(): string | undefined {
  try {
    mkdirSync(SERVICE_ACCOUNT_MOUNT_PATH, { recursive: true, mode: 0o755 });
    return undefined;
  } catch (err) {
    return `process pods cannot mount service account credentials: ${SERVICE_ACCOUNT_MOUNT_PATH} cannot be made (${(err as Error).message}); set automountServiceAccountToken: false on them`;
  }
}
