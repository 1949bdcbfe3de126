import { describe, expect, it } from 'vitest';
import { clusterResourceRefusal, ownNamespaces } from '../../../../controller/apply/cluster-resources.js';
import { otherOwner } from '../../../../controller/apply/ownership.js';
import { APP_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../../../controller/apps/track-objects.js';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { isClusterScoped } from '../../../../runtime/kube/cluster-scoped.js';

const object = (kind: string, name: string, namespace?: string, labels?: Record<string, string>): KubeObject => ({
  apiVersion: kind === 'ClusterRole' ? 'rbac.authorization.k8s.io/v1' : 'v1',
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) },
});
const app = { name: 'shop', namespace: 'shop' };
const scoped = (o: KubeObject) => isClusterScoped(o.kind);

describe('cluster resources an app may write', () => {
  const own = ownNamespaces([object('ConfigMap', 'c', 'shop-jobs'), object('Namespace', 'elsewhere')], app, scoped);

  it.each([
    ['a namespaced object in its namespace', object('Deployment', 'web', 'shop'), undefined],
    ['a namespaced object in another ordinary namespace', object('ConfigMap', 'c', 'shop-jobs'), undefined],
    ['its own Namespace', object('Namespace', 'shop'), undefined],
    ['a Namespace its objects live in', object('Namespace', 'shop-jobs'), undefined],
    ['a Namespace it puts nothing in', object('Namespace', 'elsewhere'), 'is off limits: the app neither syncs into it nor puts any of its objects in it'],
    ['kube-system', object('Namespace', 'kube-system'), 'is off limits: namespace kube-system belongs to the cluster'],
    ['an object in kube-node-lease', object('Lease', 'l', 'kube-node-lease'), 'is off limits: namespace kube-node-lease belongs to the cluster'],
    ['a Node', object('Node', 'n1'), 'is off limits: Node is cluster-scoped'],
    ['a ClusterRole', object('ClusterRole', 'r'), 'is off limits: ClusterRole is cluster-scoped'],
  ])('%s', (_what, o, refusal) => {
    const said = clusterResourceRefusal(o, scoped(o), app, own);
    if (refusal === undefined) expect(said).toBeUndefined();
    else expect(said).toMatch(new RegExp(`^${refusal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*allowClusterResources: true`));
    expect(clusterResourceRefusal(o, scoped(o), { ...app, allowClusterResources: true }, own)).toBeUndefined();
  });

  it('a kind the cluster says is cluster-scoped counts, whatever baton knows of it', () => {
    expect(clusterResourceRefusal({ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'le' } }, true, app, own)).toMatch(/ClusterIssuer is cluster-scoped/);
  });
});

describe('who owns a live object', () => {
  const mark = (owner: string) => ({ [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [APP_LABEL]: owner });

  it.each([
    ['not managed by baton (adopted)', object('ConfigMap', 'c', 'shop'), undefined],
    ['labelled for another app but not managed by baton', object('ConfigMap', 'c', 'shop', { [APP_LABEL]: 'cart' }), undefined],
    ['the app itself', object('ConfigMap', 'c', 'shop', mark('shop')), undefined],
    ['another app', object('ConfigMap', 'c', 'shop', mark('cart')), 'cart'],
    ["the app's own namespace, labelled by another app syncing into it", object('Namespace', 'shop', undefined, mark('cart')), undefined],
    ['another Namespace another app created', object('Namespace', 'cart', undefined, mark('cart')), 'cart'],
  ])('%s', (_what, live, owner) => {
    expect(otherOwner(live, app)).toBe(owner);
  });
});
