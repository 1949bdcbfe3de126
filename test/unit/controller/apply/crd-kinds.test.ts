import { ApiException, type KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { applyObjects } from '../../../../controller/apply/apply-objects.js';
import { kindsBroughtBy, waitEstablished } from '../../../../controller/apply/crd-kinds.js';
import { preflightObjects } from '../../../../controller/apply/preflight.js';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import type { ClusterTarget } from '../../../../controller/clusters/cluster-target.js';

const CRD: KubernetesObject & { spec: unknown } = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' }, versions: [{ name: 'v1', served: true, storage: true }, { name: 'v1alpha1', served: false }] },
};
const widget: KubernetesObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'gadget', namespace: 'shop' } };

const notFound = () => new ApiException(404, 'HTTP-Code: 404', JSON.stringify({ kind: 'Status', reason: 'NotFound', code: 404 }), {});

/** A cluster whose CRD becomes Established on the `establishAfter`-th read of it; `log` records each call in order. */
function cluster(log: string[], establishAfter: number, names?: string): ClusterTarget {
  let crdReads = 0;
  const live = new Map<string, KubernetesObject>([['Namespace/shop', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }]]);
  const key = (o: KubernetesObject) => `${o.kind}/${o.metadata?.name}`;
  const objects = {
    async read(o: KubernetesObject) {
      if (o.kind === 'CustomResourceDefinition' && live.has(key(o))) {
        crdReads++;
        log.push(`read crd ${crdReads}`);
        const conditions = names ? [{ type: 'NamesAccepted', status: 'False', message: names }] : crdReads >= establishAfter ? [{ type: 'Established', status: 'True' }] : [];
        return { ...live.get(key(o)), status: { conditions } };
      }
      const found = live.get(key(o));
      if (!found) throw notFound();
      return found;
    },
    async list(_apiVersion: string, kind: string) {
      return { items: [...live.values()].filter((o) => o.kind === kind) };
    },
    async patch(o: KubernetesObject) {
      log.push(`apply ${o.kind}`);
      live.set(key(o), o);
      return o;
    },
  };
  return { name: 'real', objects } as unknown as ClusterTarget;
}

const app = { name: 'widgets', namespace: 'shop', syncPolicy: { prune: false } };

describe('CustomResourceDefinitions a sync brings', () => {
  it('knows the kinds they define, for each served version', () => {
    expect([...kindsBroughtBy([CRD, widget]).entries()]).toEqual([['example.com/v1 Widget', { crd: 'widgets.example.com', scope: 'Namespaced' }]]);
  });

  it('applies a custom resource only once its CRD is Established, as Argo CD does', async () => {
    const log: string[] = [];
    await applyObjects({ target: cluster(log, 3), app, objects: [widget, CRD] });
    expect(log).toEqual(['apply CustomResourceDefinition', 'read crd 1', 'read crd 2', 'read crd 3', 'apply Widget']);
  });

  it('a CRD whose names the cluster refuses fails the revision, saying why, before its resources are written', async () => {
    const log: string[] = [];
    await expect(applyObjects({ target: cluster(log, 1, '"widgets" is already in use'), app, objects: [widget, CRD] })).rejects.toMatchObject({
      name: 'ObjectRejectedError',
      message: 'CustomResourceDefinition widgets.example.com: its names are not accepted: "widgets" is already in use',
    });
    expect(log).not.toContain('apply Widget');
  });

  it('a CRD never Established times out with what its conditions said', async () => {
    await expect(waitEstablished({ target: cluster([], 1000) }, 'widgets.example.com', 50, 10)).rejects.toThrow("CustomResourceDefinition widgets.example.com was not Established within 0.05s (not found)");
  });

  it('preflight does not refuse a custom resource as not served when the same sync brings its CRD', async () => {
    // A cluster that serves CRDs but not (yet) Widgets; reads find nothing; dry-runs pass.
    const objects = {
      async resource(_apiVersion: string, kind: string) {
        return kind === 'CustomResourceDefinition' ? { name: 'customresourcedefinitions', namespaced: false, kind, verbs: [], singularName: '' } : undefined;
      },
      async read() {
        throw notFound();
      },
      async list() {
        return { items: [] };
      },
      async patch(o: KubernetesObject) {
        return o;
      },
    };
    const target = { name: 'real', objects } as unknown as ClusterTarget;
    const owner = { ...app, allowClusterResources: true };
    expect(await preflightObjects({ target, app: owner, objects: [CRD, widget] as KubeObject[] })).toEqual([]);
    const alone = await preflightObjects({ target, app: owner, objects: [widget] as KubeObject[] });
    expect(alone.map((r) => r.problem)).toEqual(['is refused: the cluster does not serve example.com/v1 Widget']);
  });
});
