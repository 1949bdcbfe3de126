import { describe, expect, it } from 'vitest';
import { StatusError } from '../../../../runtime/errors/status-error.js';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { applyStrategicMergePatch } from '../../../../runtime/patch/index.js';

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web', tier: 'front' }, finalizers: ['a', 'b'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'shop/web:1',
              ports: [{ containerPort: 8080, name: 'http' }],
              env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
              volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }],
            },
            { name: 'sidecar', image: 'shop/proxy:1' },
          ],
          volumes: [{ name: 'cfg', configMap: { name: 'web-cfg' } }],
          tolerations: [{ key: 'k', operator: 'Exists' }],
        },
      },
    },
  };
}

const tpl = (o: KubeObject) => o.spec.template.spec;
const app = (o: KubeObject) => tpl(o).containers.find((c: { name: string }) => c.name === 'app');

interface Case {
  name: string;
  patch: unknown;
  expect: (o: KubeObject) => void;
}

const cases: Case[] = [
  {
    name: 'kubectl set image changes one container and keeps the others and their fields',
    patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'x' }] } } } },
    expect: (o) => {
      expect(tpl(o).containers.map((c: { name: string }) => c.name)).toEqual(['app', 'sidecar']);
      expect(app(o)).toMatchObject({ image: 'x', ports: [{ containerPort: 8080, name: 'http' }] });
      expect(app(o).env).toHaveLength(2);
      expect(tpl(o).containers[1].image).toBe('shop/proxy:1');
    },
  },
  {
    name: 'kubectl set env adds a variable in $setElementOrder order and keeps the rest',
    patch: {
      spec: { template: { spec: {
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
        containers: [{ name: 'app', '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }, { name: 'C' }], env: [{ name: 'C', value: '3' }] }],
      } } },
    },
    expect: (o) => {
      expect(app(o).env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'C', value: '3' }]);
      expect(app(o).image).toBe('shop/web:1');
    },
  },
  {
    name: 'kubectl set env changes a value by name',
    patch: { spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: 'two' }] }] } } } },
    expect: (o) => expect(app(o).env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: 'two' }]),
  },
  {
    name: 'kubectl set env NAME- deletes an env entry with $patch: delete',
    patch: { spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'A', $patch: 'delete' }] }] } } } },
    expect: (o) => expect(app(o).env).toEqual([{ name: 'B', value: '2' }]),
  },
  {
    name: 'a new item without $setElementOrder goes before server-only items, as Kubernetes orders it',
    patch: { spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'C', value: '3' }] }] } } } },
    expect: (o) => expect(app(o).env.map((e: { name: string }) => e.name)).toEqual(['C', 'A', 'B']),
  },
  {
    name: 'kubectl apply three-way patch: change an image, add a container, drop an env var',
    patch: {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      spec: { template: { spec: {
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'metrics' }, { name: 'sidecar' }],
        containers: [
          { name: 'app', image: 'shop/web:2', '$setElementOrder/env': [{ name: 'B' }], env: [{ $patch: 'delete', name: 'A' }] },
          { name: 'metrics', image: 'prom/exporter:1' },
        ],
      } } },
    },
    expect: (o) => {
      expect(tpl(o).containers.map((c: { name: string }) => c.name)).toEqual(['app', 'metrics', 'sidecar']);
      expect(app(o)).toMatchObject({ image: 'shop/web:2', env: [{ name: 'B', value: '2' }] });
      expect(app(o).volumeMounts).toEqual([{ name: 'cfg', mountPath: '/etc/cfg' }]);
      expect(o.metadata.annotations).toEqual({ 'kubectl.kubernetes.io/last-applied-configuration': '{}' });
    },
  },
  {
    name: 'kubectl apply swapping a container keeps a container it does not manage before the new one, as apimachinery does',
    patch: { spec: { template: { spec: {
      '$setElementOrder/containers': [{ name: 'app' }, { name: 'metrics' }],
      containers: [{ name: 'metrics', image: 'prom/exporter:1' }, { name: 'sidecar', $patch: 'delete' }],
    } } } },
    expect: (o) => expect(tpl(o).containers.map((c: { name: string }) => c.name)).toEqual(['app', 'metrics']),
  },
  {
    name: 'a new container lands after server-only ones when another is deleted in the same patch',
    patch: { spec: { template: { spec: {
      '$setElementOrder/containers': [{ name: 'metrics' }],
      containers: [{ name: 'metrics', image: 'prom/exporter:1' }, { name: 'app', $patch: 'delete' }],
    } } } },
    expect: (o) => expect(tpl(o).containers.map((c: { name: string }) => c.name)).toEqual(['sidecar', 'metrics']),
  },
  {
    name: '$setElementOrder alone reorders the live list',
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }] } } } },
    expect: (o) => expect(tpl(o).containers.map((c: { name: string }) => c.name)).toEqual(['sidecar', 'app']),
  },
  {
    name: '$retainKeys on the strategy (patchStrategy=retainKeys) drops rollingUpdate when switching to Recreate',
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    expect: (o) => expect(o.spec.strategy).toEqual({ type: 'Recreate' }),
  },
  {
    name: '$retainKeys on a volume swaps its source',
    patch: { spec: { template: { spec: {
      '$setElementOrder/volumes': [{ name: 'cfg' }],
      volumes: [{ $retainKeys: ['name', 'secret'], configMap: null, name: 'cfg', secret: { secretName: 's' } }],
    } } } },
    expect: (o) => expect(tpl(o).volumes).toEqual([{ name: 'cfg', secret: { secretName: 's' } }]),
  },
  {
    name: 'kubectl rollout undo (strategic form): $patch: replace swaps the whole template',
    patch: { spec: { template: { $patch: 'replace', metadata: { labels: { app: 'web', rev: '1' } }, spec: { containers: [{ name: 'app', image: 'shop/web:0' }] } } } },
    expect: (o) => {
      expect(o.spec.template).toEqual({ metadata: { labels: { app: 'web', rev: '1' } }, spec: { containers: [{ name: 'app', image: 'shop/web:0' }] } });
      expect(o.spec.replicas).toBe(2);
    },
  },
  {
    name: '$patch: replace inside a merge list replaces the list with the other items',
    patch: { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'i' }] } } } },
    expect: (o) => expect(tpl(o).containers).toEqual([{ name: 'only', image: 'i' }]),
  },
  {
    name: '$patch: delete on a map empties it',
    patch: { spec: { strategy: { $patch: 'delete' } } },
    expect: (o) => expect(o.spec.strategy).toEqual({}),
  },
  {
    name: '$deleteFromPrimitiveList/finalizers with $setElementOrder (kubectl apply removing one finalizer)',
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'], '$setElementOrder/finalizers': ['a', 'c'], finalizers: ['c'] } },
    expect: (o) => expect(o.metadata.finalizers).toEqual(['a', 'c']),
  },
  {
    name: 'finalizers merge as a set (patchStrategy=merge on a primitive list)',
    patch: { metadata: { finalizers: ['b', 'z'] } },
    expect: (o) => expect([...(o.metadata.finalizers ?? [])].sort()).toEqual(['a', 'b', 'z']),
  },
  {
    name: 'null deletes a key; null for a missing key is ignored',
    patch: { metadata: { labels: { tier: null, gone: null } }, spec: { template: { spec: { containers: [{ name: 'app', ports: null }] } } } },
    expect: (o) => {
      expect(o.metadata.labels).toEqual({ app: 'web' });
      expect(app(o).ports).toBeUndefined();
    },
  },
  {
    name: 'untagged lists (tolerations) are replaced whole',
    patch: { spec: { template: { spec: { tolerations: [{ key: 'other', operator: 'Exists' }] } } } },
    expect: (o) => expect(tpl(o).tolerations).toEqual([{ key: 'other', operator: 'Exists' }]),
  },
  {
    name: 'container ports merge by containerPort, volumeMounts by mountPath',
    patch: { spec: { template: { spec: { containers: [{
      name: 'app',
      ports: [{ containerPort: 8080, protocol: 'TCP' }, { containerPort: 9090, name: 'metrics' }],
      volumeMounts: [{ mountPath: '/etc/cfg', readOnly: true }],
    }] } } } },
    expect: (o) => {
      expect([...app(o).ports].sort((a: any, b: any) => a.containerPort - b.containerPort)).toEqual([
        { containerPort: 8080, name: 'http', protocol: 'TCP' },
        { containerPort: 9090, name: 'metrics' },
      ]);
      expect(app(o).volumeMounts).toEqual([{ name: 'cfg', mountPath: '/etc/cfg', readOnly: true }]);
    },
  },
  {
    name: 'directives inside new subtrees are not stored',
    patch: { spec: { template: { spec: { initContainers: [{ name: 'init', image: 'i', env: [{ name: 'X', value: null }] }] } } } },
    expect: (o) => expect(tpl(o).initContainers).toEqual([{ name: 'init', image: 'i', env: [{ name: 'X' }] }]),
  },
];

describe('applyStrategicMergePatch on a Deployment', () => {
  it.each(cases)('$name', ({ patch, expect: check }) => {
    const live = deployment();
    const before = structuredClone(live);
    const out = applyStrategicMergePatch(live, patch, 'Deployment');
    check(out);
    expect(live).toEqual(before);
  });
});

describe('applyStrategicMergePatch on other kinds', () => {
  it('merges Service ports by port', () => {
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 8443 }] } };
    const out = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 443, name: 'https' }] } }, 'Service');
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 8443, name: 'https' }]);
  });

  it('merges ownerReferences by uid and pod conditions by type', () => {
    const pod: KubeObject = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'p', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1' }] },
      status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] },
    };
    const out = applyStrategicMergePatch(pod, {
      metadata: { ownerReferences: [{ uid: 'u1', controller: true }] },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    }, 'Pod');
    expect(out.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }]);
    expect(out.status.conditions).toEqual([{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }]);
  });

  it('merges imagePullSecrets by name and hostAliases by ip', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {
      imagePullSecrets: [{ name: 'a' }], hostAliases: [{ ip: '127.0.0.1', hostnames: ['x'] }],
    } };
    const out = applyStrategicMergePatch(pod, { spec: { imagePullSecrets: [{ name: 'b' }], hostAliases: [{ ip: '127.0.0.1', hostnames: ['y'] }] } }, 'Pod');
    expect(out.spec.imagePullSecrets.map((s: { name: string }) => s.name).sort()).toEqual(['a', 'b']);
    expect(out.spec.hostAliases).toEqual([{ ip: '127.0.0.1', hostnames: ['y'] }]);
  });

  it('merges plain maps such as ConfigMap data', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1', b: '2' } };
    expect(applyStrategicMergePatch(cm, { data: { b: null, c: '3' } }, 'ConfigMap').data).toEqual({ a: '1', c: '3' });
  });
});

describe('applyStrategicMergePatch rejects malformed patches with 400', () => {
  it.each([
    ['a merge-list item without its merge key', { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 'does not contain declared merge key: name'],
    ['$patch: merge in a list', { spec: { template: { spec: { containers: [{ name: 'app', $patch: 'merge' }] } } } }, 'merging lists cannot yet be specified'],
    ['an unknown $patch', { spec: { $patch: 'frobnicate' } }, 'Unknown patch type'],
    ['a key missing from $retainKeys', { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: {} } } }, 'retainKeys'],
    ['a patch list out of $setElementOrder order', { spec: { template: { spec: {
      '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
      containers: [{ name: 'sidecar' }, { name: 'app' }],
    } } } }, "doesn't match $setElementOrder list"],
    ['a patch that is not an object', [1], 'cannot unmarshal array'],
  ])('%s', (_name, patch, message) => {
    let caught: unknown;
    try {
      applyStrategicMergePatch(deployment(), patch, 'Deployment');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StatusError);
    expect((caught as StatusError).code).toBe(400);
    expect((caught as StatusError).message).toContain(message);
  });
});

describe('applyStrategicMergePatch and __proto__', () => {
  it('refuses a __proto__ key with 400 instead of setting the prototype of the merged map', () => {
    // JSON.parse makes "__proto__" an own key, as a request body would.
    const patch = JSON.parse('{"metadata":{"labels":{"__proto__":{"polluted":"yes"}}}}');
    let caught: unknown;
    try {
      applyStrategicMergePatch(deployment(), patch, 'Deployment');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StatusError);
    expect((caught as StatusError).code).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
