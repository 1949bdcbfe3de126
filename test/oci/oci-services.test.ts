import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { buildImage, pushImage, startRegistry, type LocalRegistry } from '../support/oci-registry.js';
import { startOciRuntime, type OciRuntime } from '../support/oci-runtime.js';

let registry: LocalRegistry;
let rt: OciRuntime;
let bridge: string;

const WEB_CMD = ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www'];
const IDLE_CMD = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];

/** Where the kernel sends a packet for `ip`. */
function routeOf(ip: string): { dev?: string; type?: string } {
  try {
    return (JSON.parse(execFileSync('ip', ['-j', 'route', 'get', ip], { encoding: 'utf8' })) as Array<{ dev?: string }>)[0] ?? {};
  } catch {
    return { type: 'unreachable' };
  }
}

/** Fails the test unless `ip` routes to the runtime's bridge: no test packet may leave the machine. */
function assertOnBridge(ip: string): void {
  expect(routeOf(ip).dev, `route to ${ip}`).toBe(bridge);
}

async function get(ip: string, port: number): Promise<string> {
  if (!ip.startsWith('127.')) assertOnBridge(ip);
  const res = await fetch(`http://${ip}:${port}/`, { signal: AbortSignal.timeout(5000) });
  return (await res.text()).trim();
}

/** What the connection attempt ends in: the body, or the error code (ECONNREFUSED…). */
async function attempt(ip: string, port: number): Promise<string> {
  try {
    return await get(ip, port);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return cause?.code ?? (err as Error).name;
  }
}

// Pods call Services with busybox wget, bounded by `timeout` (busybox 1.35's -T segfaults), and print one answer per line.
const CALL_TEN_TIMES = 'for i in $(seq 1 10); do timeout 5 wget -qO- http://$WEB_SERVICE_HOST/ || echo FAILED; done; echo DONE; sleep 3600';
const LOOP_UNTIL_SELF =
  'for i in $(seq 1 100); do r=$(timeout 5 wget -qO- http://$WEB_SERVICE_HOST/ || echo FAILED); echo "$r"; [ "$r" = "$(hostname)" ] && break; sleep 0.2; done; echo DONE; sleep 3600';

const ready = (p: KubeObject) => p.status?.phase === 'Running' && (p.status?.containerStatuses ?? []).every((c: any) => c.ready);

function webPod(image: string, extra: Record<string, unknown> = {}) {
  return {
    containers: [{
      name: 'web',
      image,
      ports: [{ name: 'http', containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
      lifecycle: { preStop: { exec: { command: ['sleep', '2'] } } },
    }],
    terminationGracePeriodSeconds: 10,
    ...extra,
  };
}

async function createService(name: string, spec: Record<string, unknown>): Promise<KubeObject> {
  return rt.runtime.cluster.create(resources.services, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: rt.namespace }, spec });
}

/** Waits until the Service's Endpoints list exactly `count` ready addresses and the kernel rules hold them. */
beforeAll(async () => {
  registry = await startRegistry();
  await pushImage(registry, 'team/web:v1', buildImage({ cmd: WEB_CMD }));
  await pushImage(registry, 'team/idle:v1', buildImage({ cmd: IDLE_CMD }));
  rt = await startOciRuntime();
  expect(rt.runtime.services).toMatchObject({ mode: 'kernel', serviceCidr: rt.serviceCidr });
  bridge = routeOf(rt.podCidr.replace(/0\/24$/, '2')).dev ?? '';
  expect(bridge).toMatch(/^bt[0-9a-f]{8}$/);
}, 120_000);

afterAll(async () => {
  await rt?.close();
  await registry?.stop();
});

describe('Services in the kernel', () => {
  it('routes the pod and service ranges only to the bridge, with an unreachable route under each', async () => {
    const routes = JSON.parse(execFileSync('ip', ['-j', '-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' })) as Array<{ dst: string; dev?: string; type?: string }>;
    for (const cidr of [rt.podCidr, rt.serviceCidr]) {
      const [network] = cidr.split('/');
      const base = network.split('.').slice(0, 3).join('.');
      // .1 of the pod range is the bridge's own address (local); every other one must go to the bridge.
      for (const last of [2, 77, 254, 255]) expect(routeOf(`${base}.${last}`).dev, `${base}.${last}`).toBe(bridge);
      expect(routes.find((r) => r.dst === cidr && r.type === 'unreachable'), `unreachable ${cidr}`).toBeDefined();
      expect(routes.filter((r) => r.dst === cidr && r.dev && r.dev !== bridge)).toEqual([]);
    }
  });

  it('balances a ClusterIP over ready pods, from the host and from a pod, and serves the NodePort on loopback', async () => {
    // The Service comes first, so pods get WEB_SERVICE_HOST in their environment.
    const svc = await createService('web', { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
    const clusterIP = svc.spec!.clusterIP as string;
    expect(clusterIP.split('.').slice(0, 3).join('.')).toBe(rt.serviceCidr.split('.').slice(0, 3).join('.'));
    // web-a also calls its own Service until the answer is itself: the hairpin case.
    const hairpin = { name: 'hairpin', image: `${registry.host}/team/idle:v1`, command: ['sh', '-c', LOOP_UNTIL_SELF] };
    const webA = webPod(`${registry.host}/team/web:v1`);
    await rt.createPod('web-a', { ...webA, containers: [...webA.containers, hairpin] }, { app: 'web' });
    await rt.createPod('web-b', webPod(`${registry.host}/team/web:v1`), { app: 'web' });
    for (const name of ['web-a', 'web-b']) await rt.waitForPod(name, 'ready', ready);
    await rt.waitForEndpoints('web', 2);

    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) seen.add(await get(clusterIP, 80));
    expect([...seen].sort()).toEqual(['web-a', 'web-b']);
    const nodePort = svc.spec!.ports[0].nodePort as number;
    expect(['web-a', 'web-b']).toContain(await get('127.0.0.1', nodePort));

    await rt.createPod('client', { containers: [{ name: 'c', image: `${registry.host}/team/idle:v1`, command: ['sh', '-c', CALL_TEN_TIMES] }], terminationGracePeriodSeconds: 1 });
    const fromClient = await rt.linesUntilDone('client');
    expect(fromClient.length).toBe(10);
    expect(fromClient.every((line) => line === 'web-a' || line === 'web-b'), fromClient.join(',')).toBe(true);
    expect(await rt.linesUntilDone('web-a', { container: 'hairpin' })).toContain('web-a');
  });

  it('shows on the Node that the kernel carries Services', async () => {
    const [node] = (await rt.runtime.cluster.list(resources.nodes)).items;
    expect(node.metadata.annotations).toMatchObject({ 'baton.dev/service-proxy': 'kernel', 'baton.dev/service-cidr': rt.serviceCidr });
  });

  it('refuses connections to a Service with no ready endpoint at once', async () => {
    const svc = await createService('nobody', { selector: { app: 'nobody' }, ports: [{ port: 80, targetPort: 8080 }] });
    await rt.runtime.servicesSettled();
    expect(await attempt(svc.spec!.clusterIP, 80)).toBe('ECONNREFUSED');
  });

  it('keeps a client on one pod with sessionAffinity: ClientIP', async () => {
    const svc = await createService('sticky', { selector: { app: 'web' }, sessionAffinity: 'ClientIP', ports: [{ port: 80, targetPort: 8080 }] });
    await rt.waitForEndpoints('sticky', 2);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(await get(svc.spec!.clusterIP, 80));
    expect(seen.size).toBe(1);
  });

  it('sends no new connection to a deleted pod', async () => {
    await rt.createPod('web-c', webPod(`${registry.host}/team/web:v1`), { app: 'gone' });
    await rt.createPod('web-d', webPod(`${registry.host}/team/web:v1`), { app: 'gone' });
    const svc = await createService('gone', { selector: { app: 'gone' }, ports: [{ port: 80, targetPort: 8080 }] });
    for (const name of ['web-c', 'web-d']) await rt.waitForPod(name, 'ready', ready);
    await rt.waitForEndpoints('gone', 2);
    await rt.runtime.cluster.delete(resources.pods, rt.namespace, 'web-c');
    // The pod is still running its preStop hook (2 s) when it leaves the Endpoints: no new connection may reach it.
    await rt.waitForEndpoints('gone', 1);
    const answers = new Set<string>();
    for (let i = 0; i < 30; i++) answers.add(await get(svc.spec!.clusterIP, 80));
    expect([...answers]).toEqual(['web-d']);
  });
});

describe('a rolling update behind a ClusterIP', () => {
  it('fails no request under load while every pod is replaced', async () => {
    const svc = await createService('roll', { selector: { app: 'roll' }, ports: [{ port: 80, targetPort: 8080 }] });
    const template = (version: string) => ({
      metadata: { labels: { app: 'roll' } },
      spec: { ...webPod(`${registry.host}/team/web:v1`), containers: webPod(`${registry.host}/team/web:v1`).containers.map((c) => ({ ...c, env: [{ name: 'VERSION', value: version }] })) },
    });
    const deployment = await rt.runtime.cluster.create(resources.deployments, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'roll', namespace: rt.namespace },
      spec: { replicas: 2, selector: { matchLabels: { app: 'roll' } }, strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }, template: template('1') },
    });
    const before = new Set(await rt.waitForEndpoints('roll', 2));

    let ok = 0;
    const failures: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const answer = await attempt(svc.spec!.clusterIP, 80);
        if (answer.startsWith('roll-')) ok++;
        else failures.push(answer);
      }
    };
    const load = Promise.all(Array.from({ length: 4 }, worker));
    await new Promise((r) => setTimeout(r, 500));
    const current = await rt.runtime.cluster.get(resources.deployments, rt.namespace, deployment.metadata.name!);
    await rt.runtime.cluster.update(resources.deployments, { ...current, spec: { ...current.spec, template: template('2') } });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const eps = await rt.runtime.cluster.get(resources.endpoints, rt.namespace, 'roll');
      const ips = ((eps as any).subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip as string));
      const pods = (await rt.runtime.cluster.list(resources.pods, { namespace: rt.namespace, labelSelector: 'app=roll' })).items;
      if (ips.length === 2 && ips.every((ip: string) => !before.has(ip)) && pods.length === 2) break;
      if (Date.now() > deadline) throw new Error(`the rollout never finished: ${JSON.stringify(ips)}, ${pods.length} pods`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await load;
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(20);
  });
});

describe('a restarted runtime', () => {
  it('serves ClusterIPs across the restart, and rebuilds the rules from the store, dropping chains no Service has', async () => {
    const web = await rt.runtime.cluster.get(resources.services, rt.namespace, 'web');
    // What an earlier run could leave behind: a chain for a Service deleted while the runtime was down.
    execFileSync('nft', ['add chain inet', bridge, 'svc-stale000-gone/svc/tcp/80'].join(' ').split(' '));
    await rt.restart();
    expect(['web-a', 'web-b']).toContain(await get(web.spec!.clusterIP, 80));
    await rt.runtime.servicesSettled();
    const chains = execFileSync('nft', ['list', 'table', 'inet', bridge], { encoding: 'utf8' });
    expect(chains).not.toContain('svc-stale000');
    expect(chains).toContain('/web/tcp/http');
  });
});
