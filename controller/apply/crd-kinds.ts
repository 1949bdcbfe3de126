import type { KubernetesObject } from '@kubernetes/client-node';
import { callClusterOrAbsent, pause, type CallContext } from '../clusters/cluster-call.js';
import { ObjectRejectedError } from '../clusters/object-rejected-error.js';
import { refOf } from '../clusters/object-ref.js';

/** A kind a CustomResourceDefinition of the same sync defines. */
export interface BroughtKind {
  /** The CRD's name (`<plural>.<group>`). */
  crd: string;
  scope: 'Namespaced' | 'Cluster';
}

const isCrd = (o: { apiVersion?: string; kind?: string }) => o.kind === 'CustomResourceDefinition' && o.apiVersion?.startsWith('apiextensions.k8s.io/') === true;

/** `apiVersion Kind`, as the kinds are keyed here. */
export const kindKey = (apiVersion: string | undefined, kind: string | undefined) => `${apiVersion ?? ''} ${kind ?? ''}`;

/**
 * The kinds the CustomResourceDefinitions among `objects` define, for every
 * version they serve. Argo CD applies such a CRD first and waits until it is
 * Established before its custom resources; the cluster cannot check those
 * resources before then, so a dry-run of them would only say "not served".
 */
export function kindsBroughtBy(objects: readonly KubernetesObject[]): Map<string, BroughtKind> {
  const kinds = new Map<string, BroughtKind>();
  for (const o of objects) {
    if (!isCrd(o)) continue;
    const spec = (o as KubernetesObject & { spec?: any }).spec ?? {};
    const kind = spec.names?.kind;
    if (typeof spec.group !== 'string' || typeof kind !== 'string' || !Array.isArray(spec.versions)) continue;
    const scope = spec.scope === 'Cluster' ? 'Cluster' : 'Namespaced';
    for (const v of spec.versions) {
      if (typeof v?.name === 'string' && v.served !== false) kinds.set(kindKey(`${spec.group}/${v.name}`, kind), { crd: o.metadata?.name ?? '', scope });
    }
  }
  return kinds;
}

/**
 * Waits until the CustomResourceDefinition `name` is Established (its kind
 * served). One whose names the cluster refuses (NamesAccepted False) or that
 * is not established within `timeoutMs` fails the revision, naming why.
 */
export async function waitEstablished(ctx: CallContext, name: string, timeoutMs = 60_000, pollMs = 250): Promise<void> {
  const header = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } };
  const ref = refOf(header);
  const deadline = Date.now() + timeoutMs;
  let last = 'not found';
  for (;;) {
    const live = (await callClusterOrAbsent(ctx, 'read', ref, () => ctx.target.objects.read(header))) as (KubernetesObject & { status?: any }) | undefined;
    const conditions: Array<{ type: string; status: string; message?: string }> = live?.status?.conditions ?? [];
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return;
    const names = conditions.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
    if (names) throw new ObjectRejectedError(`CustomResourceDefinition ${name}: its names are not accepted: ${names.message ?? ''}`, { kind: 'CustomResourceDefinition', name });
    last = live ? `conditions ${conditions.map((c) => `${c.type}=${c.status}`).join(', ') || 'none yet'}` : 'not found';
    if (Date.now() >= deadline) throw new ObjectRejectedError(`CustomResourceDefinition ${name} was not Established within ${timeoutMs / 1000}s (${last})`, { kind: 'CustomResourceDefinition', name });
    await pause(pollMs, ctx.signal);
  }
}
