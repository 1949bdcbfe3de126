import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeObjects } from '../../controller/previews/preview-bridges.js';
import { previewNetworkPolicy } from '../../controller/previews/preview-network-policy.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { buildImage, pushImage, startRegistry, type LocalRegistry } from '../support/oci-registry.js';
import { startOciRuntime, type OciRuntime } from '../support/oci-runtime.js';
import { waitFor } from '../support/wait.js';

// A preview on a kernel-mode runtime (root: pods on the bridge, NetworkPolicy in nftables): production
// runs pricing and inventory; the preview depends on pricing only. With the NetworkPolicy baton gives
// every pr-N, a preview pod reaches pricing (its pods and its Service) and cluster DNS, and cannot
// connect to inventory, a production pod it does not depend on. The same caller in a namespace without
// the policy reaches everything. The bridge Service baton makes in the preview (its Endpoints name
// production's ClusterIP) answers too: the kernel rules send it straight to production's pods.

let registry: LocalRegistry;
let rt: OciRuntime;
let prod: string;
const number = 900_000 + Math.floor(Math.random() * 99_999);
const preview = `pr-${number}`;
const unfenced = `unfenced-${number}`;

const WEB_CMD = ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www'];
const ready = (p: KubeObject) => p.status?.phase === 'Running' && (p.status?.containerStatuses ?? []).every((c: any) => c.ready);

async function podIP(namespace: string, name: string): Promise<string> {
  return (await rt.runtime.cluster.get(resources.pods, namespace, name)).status!.podIP as string;
}

async function waitReady(namespace: string, name: string): Promise<void> {
  await waitFor(`${namespace}/${name} ready`, async () => ready(await rt.runtime.cluster.get(resources.pods, namespace, name)), { timeoutMs: 90_000, intervalMs: 200 });
}

beforeAll(async () => {
  registry = await startRegistry();
  await pushImage(registry, 'team/web:v1', buildImage({ cmd: WEB_CMD }));
  await pushImage(registry, 'team/idle:v1', buildImage({ cmd: ['sleep', '3600'] }));
  rt = await startOciRuntime();
  prod = rt.namespace;
  for (const app of ['pricing', 'inventory']) {
    await rt.createPod(app, { containers: [{ name: 'web', image: `${registry.host}/team/web:v1`, ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 } }], terminationGracePeriodSeconds: 1 }, { app });
    await rt.runtime.cluster.create(resources.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: app, namespace: prod }, spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
  }
  for (const app of ['pricing', 'inventory']) await waitReady(prod, app);
  await rt.runtime.cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: preview, labels: { 'baton.dev/preview': String(number) } } });
  await rt.runtime.cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: unfenced } });
}, 240_000);

afterAll(async () => {
  await rt?.close();
  await registry?.stop();
});

describe('a preview namespace on a kernel-mode runtime', () => {
  it("reaches its dependency's pods and Service and DNS, and cannot connect to a production pod it does not depend on", async () => {
    const pricing = await rt.runtime.cluster.get(resources.services, prod, 'pricing');
    const inventory = await rt.runtime.cluster.get(resources.services, prod, 'inventory');
    const policy = previewNetworkPolicy(number, [{ app: 'pricing', namespace: prod, selector: { app: 'pricing' }, clusterIP: pricing.spec!.clusterIP }]);
    await rt.runtime.cluster.create(resources.networkpolicies, policy);
    const [bridgeService, bridgeEndpoints] = bridgeObjects('pricing', preview, 'pricing', number, pricing.spec as any);
    const bridge = await rt.runtime.cluster.create(resources.services, bridgeService);
    await rt.runtime.cluster.create(resources.endpoints, bridgeEndpoints);
    await rt.runtime.servicesSettled();

    const targets = {
      'pricing-pod': `${await podIP(prod, 'pricing')}:8080`,
      'pricing-service': `${pricing.spec!.clusterIP}:80`,
      'inventory-pod': `${await podIP(prod, 'inventory')}:8080`,
      'inventory-service': `${inventory.spec!.clusterIP}:80`,
      'pricing-bridge': `${bridge.spec!.clusterIP}:80`,
    };
    // The pod's address reaches the rules once the kubelet reports it: wait a moment before calling.
    const script =
      'sleep 3; ' +
      Object.entries(targets)
        .map(([what, at]) => `(timeout 4 wget -qO- http://${at}/ >/dev/null 2>&1 && echo ${what} OPEN) || echo ${what} BLOCKED`)
        .join('; ') +
      `; (nslookup pricing.${prod}.svc.cluster.local >/dev/null 2>&1 && echo dns OPEN) || echo dns BLOCKED`;
    const caller = (namespace: string) =>
      rt.runtime.cluster.create(resources.pods, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'catalog', namespace, labels: { app: 'catalog' } },
        spec: { containers: [{ name: 'c', image: `${registry.host}/team/idle:v1`, command: ['sh', '-c', `${script}; echo DONE; sleep 3600`] }], terminationGracePeriodSeconds: 1 },
      });
    // The same caller in a namespace without the policy: what it blocks is open there.
    await Promise.all([caller(preview), caller(unfenced)]);
    const [fenced, open] = await Promise.all([rt.linesUntilDone('catalog', { namespace: preview }), rt.linesUntilDone('catalog', { namespace: unfenced })]);
    expect(fenced).toEqual(['pricing-pod OPEN', 'pricing-service OPEN', 'inventory-pod BLOCKED', 'inventory-service BLOCKED', 'pricing-bridge OPEN', 'dns OPEN']);
    expect(open).toEqual(['pricing-pod OPEN', 'pricing-service OPEN', 'inventory-pod OPEN', 'inventory-service OPEN', 'pricing-bridge OPEN', 'dns OPEN']);
  });
});
