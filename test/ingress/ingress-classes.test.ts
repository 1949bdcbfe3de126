import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIngress, type IngressOptions, type RunningIngress } from '../../runtime/ingress/index.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { startServiceProxy, type ServiceProxy } from '../../runtime/proxy/index.js';
import { resources } from '../../runtime/resources/registry.js';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { endpointsObject, ensureNamespace, randomHighPort, randomLoopback } from '../proxy/helpers.js';
import { request, startBackend, type Backend } from './helpers.js';
import { waitFor } from '../support/wait.js';

let cluster: LocalCluster;
let proxy: ServiceProxy;
const running: RunningIngress[] = [];
const backends: Backend[] = [];
const namespace = `classes-${process.pid}-${randomBytes(3).toString('hex')}`;
const log = pino({ level: process.env.INGRESS_TEST_LOG ?? 'silent' });
const DEFAULT = 'ingressclass.kubernetes.io/is-default-class';

beforeAll(async () => {
  cluster = await openLocalCluster();
  await ensureNamespace(cluster, namespace);
  proxy = await startServiceProxy({ cluster, nodePortHost: randomLoopback('127.3'), logger: log });
});

afterAll(async () => {
  await proxy?.stop();
  await cluster?.close();
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((i) => i.stop()));
  await Promise.all(backends.splice(0).map((b) => b.close()));
});

async function ingressWith(options: Partial<IngressOptions> = {}): Promise<RunningIngress> {
  const ingress = await startIngress({ cluster, proxy, port: 0, logger: log, ...options });
  running.push(ingress);
  return ingress;
}

async function stop(ingress: RunningIngress): Promise<void> {
  running.splice(running.indexOf(ingress), 1);
  await ingress.stop();
}

/** A backend behind a Service `name` (port `http`), with its Endpoints. */
async function serviceWithBackend(name: string): Promise<void> {
  const backend = await startBackend(name, randomLoopback('127.1'));
  backends.push(backend);
  await cluster.create(resources.services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { clusterIP: randomLoopback('127.2'), ports: [{ name: 'http', port: randomHighPort(), targetPort: 8080, protocol: 'TCP' }] },
  });
  await cluster.create(resources.endpoints, endpointsObject(namespace, name, 'http', [backend]));
}

async function createIngress(name: string, host: string, service: string, className?: string): Promise<void> {
  const spec = { ...(className ? { ingressClassName: className } : {}), rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { name: 'http' } } } }] } }] };
  await cluster.create(resources.ingresses, { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace }, spec });
}

async function setClass(name: string, controller: string, isDefault: boolean): Promise<void> {
  const annotations = { [DEFAULT]: String(isDefault) };
  try {
    const live = await cluster.get(resources.ingressclasses, undefined, name);
    await cluster.update(resources.ingressclasses, { ...live, metadata: { ...live.metadata, annotations: { ...live.metadata.annotations, ...annotations } } });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    await cluster.create(resources.ingressclasses, { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name, annotations }, spec: { controller } });
  }
}

const routed = (ingress: RunningIngress, host: string, backend: string) =>
  waitFor(`${host} → ${backend}`, async () => {
    const reply = await request(ingress.port, host, '/');
    return reply.status === 200 && JSON.parse(reply.body).backend === backend;
  });
const notRouted = (ingress: RunningIngress, host: string) => waitFor(`${host} unserved`, async () => (await request(ingress.port, host, '/')).status === 404);
const address = async (name: string) => ((await cluster.get(resources.ingresses, namespace, name)) as KubeObject).status?.loadBalancer?.ingress;

describe('ingress classes', () => {
  it('routes an Ingress of class nginx only when started with ingressClasses: [nginx]', async () => {
    await serviceWithBackend('shop');
    await createIngress('for-nginx', 'nginx.localhost', 'shop', 'nginx');
    await createIngress('for-baton', 'baton.localhost', 'shop', 'baton');

    const plain = await ingressWith();
    await routed(plain, 'baton.localhost', 'shop');
    expect((await request(plain.port, 'nginx.localhost', '/')).status).toBe(404);
    expect(await address('for-nginx')).toBeUndefined();
    await stop(plain);

    const withNginx = await ingressWith({ ingressClasses: ['nginx'] });
    await routed(withNginx, 'nginx.localhost', 'shop');
    await waitFor('an address on the nginx Ingress', () => address('for-nginx'));
    expect(await address('for-nginx')).toEqual([{ ip: '127.0.0.1' }]);
  });

  it('makes the baton IngressClass and never overwrites it', async () => {
    await ingressWith();
    const made = await cluster.get(resources.ingressclasses, undefined, 'baton');
    expect(made.spec).toEqual({ controller: 'baton.dev/ingress' });
    await setClass('baton', 'baton.dev/ingress', true);
    await stop(running[0]);
    await ingressWith();
    expect((await cluster.get(resources.ingressclasses, undefined, 'baton')).metadata.annotations).toEqual({ [DEFAULT]: 'true' });
    await setClass('baton', 'baton.dev/ingress', false);
  });

  it('serves a class-less Ingress while no class, or a class of its own, is the default', async () => {
    await serviceWithBackend('blog');
    await createIngress('classless', 'classless.localhost', 'blog');
    const ingress = await ingressWith();
    await routed(ingress, 'classless.localhost', 'blog');
    await waitFor('an address on the class-less Ingress', () => address('classless'));

    // Another controller's class becomes the default: class-less Ingresses are its now.
    await setClass('nginx', 'k8s.io/ingress-nginx', true);
    await notRouted(ingress, 'classless.localhost');
    await waitFor('the address withdrawn', async () => !(await address('classless')));

    // A class of baton's (by its controller) made the default, newer (or the same second and first by name), brings it back.
    await setClass('edge', 'baton.dev/ingress', true);
    await routed(ingress, 'classless.localhost', 'blog');
    await cluster.delete(resources.ingressclasses, undefined, 'edge');
    await notRouted(ingress, 'classless.localhost');
    await cluster.delete(resources.ingressclasses, undefined, 'nginx');
    await routed(ingress, 'classless.localhost', 'blog');
  });
});
