import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { startFakeUpstream, type FakeUpstream } from '../dns/dns-harness.js';
import { buildImage, pushImage, startRegistry, type LocalRegistry } from '../support/oci-registry.js';
import { startOciRuntime, type OciRuntime } from '../support/oci-runtime.js';

let registry: LocalRegistry;
let upstream: FakeUpstream;
let rt: OciRuntime;
let ns: string;

const WEB_CMD = ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www'];
const ready = (p: KubeObject) => p.status?.phase === 'Running' && (p.status?.containerStatuses ?? []).every((c: any) => c.ready);

/** A pod of the idle image running `script`, then `echo DONE` and sleeping. */
async function scriptPod(name: string, script: string, extra: { labels?: Record<string, string>; spec?: Record<string, unknown> } = {}): Promise<string[]> {
  await rt.createPod(
    name,
    { containers: [{ name: 'c', image: `${registry.host}/team/idle:v1`, command: ['sh', '-c', `${script}; echo DONE; sleep 3600`] }], terminationGracePeriodSeconds: 1, ...extra.spec },
    extra.labels,
  );
  return rt.linesUntilDone(name);
}

beforeAll(async () => {
  registry = await startRegistry();
  await pushImage(registry, 'team/web:v1', buildImage({ cmd: WEB_CMD }));
  await pushImage(registry, 'team/idle:v1', buildImage({ cmd: ['sleep', '3600'] }));
  // The machine's own resolvers are never asked: names outside the cluster go to this loopback server.
  upstream = await startFakeUpstream({ 'outside.example': ['192.0.2.77'] });
  rt = await startOciRuntime({ dnsUpstreams: [upstream.address] });
  ns = rt.namespace;
  const web = () => ({
    containers: [{ name: 'web', image: `${registry.host}/team/web:v1`, ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 } }],
  });
  for (const name of ['web-1', 'web-2']) await rt.createPod(name, web(), { app: 'web' });
  await rt.runtime.cluster.create(resources.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
  await rt.runtime.cluster.create(resources.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-headless', namespace: ns }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] } });
  for (const name of ['web-1', 'web-2']) await rt.waitForPod(name, 'ready', ready);
  await rt.waitForEndpoints('web', 2);
  await rt.waitForEndpoints('web-headless', 2);
}, 180_000);

afterAll(async () => {
  await rt?.close();
  await upstream?.close();
  await registry?.stop();
});

describe('cluster DNS', () => {
  it('lets pods call each other by short name and by FQDN, and answers a headless Service with every ready pod IP', async () => {
    const podIPs = await Promise.all(['web-1', 'web-2'].map(async (name) => (await rt.runtime.cluster.get(resources.pods, ns, name)).status!.podIP as string));
    const lines = await scriptPod(
      'caller',
      `for n in web web.${ns}.svc.cluster.local; do timeout 5 wget -qO- http://$n/ || echo FAILED $n; done; ` +
        `nslookup web-headless.${ns}.svc.cluster.local | grep -A9 '^Name' | grep '^Address' | sed 's/^Address[ 0-9]*: *//'`,
    );
    expect(lines.slice(0, 2).every((l) => l === 'web-1' || l === 'web-2'), lines.join(' | ')).toBe(true);
    expect(lines.slice(2).sort()).toEqual([...podIPs].sort());
  });

  it('writes Kubernetes\' resolv.conf for ClusterFirst pods, and only dnsConfig for dnsPolicy: None', async () => {
    const dns = (rt.runtime.services as { clusterDns: string }).clusterDns;
    expect(await scriptPod('resolv-default', 'cat /etc/resolv.conf')).toEqual([
      `search ${ns}.svc.cluster.local svc.cluster.local cluster.local`,
      `nameserver ${dns}`,
      'options ndots:5',
    ]);
    const none = await scriptPod('resolv-none', 'cat /etc/resolv.conf', {
      spec: { dnsPolicy: 'None', dnsConfig: { nameservers: ['192.0.2.53'], searches: ['my.dns.search.suffix'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } },
    });
    expect(none).toEqual(['search my.dns.search.suffix', 'nameserver 192.0.2.53', 'options ndots:2 edns0']);
  });

  it('answers SRV and PTR, and serves kube-dns as a Service in kube-system', async () => {
    const kubeDns = await rt.runtime.cluster.get(resources.services, 'kube-system', 'kube-dns');
    const resolver = new Resolver({ timeout: 3000, tries: 1 });
    resolver.setServers([kubeDns.spec!.clusterIP]);
    const web = await rt.runtime.cluster.get(resources.services, ns, 'web');
    expect(await resolver.resolveSrv(`_http._tcp.web.${ns}.svc.cluster.local`)).toEqual([
      { name: `web.${ns}.svc.cluster.local`, port: 80, priority: 0, weight: expect.any(Number) },
    ]);
    expect(await resolver.reverse(web.spec!.clusterIP)).toEqual([`web.${ns}.svc.cluster.local`]);
  });

  it('forwards a name outside the cluster to the upstream resolvers', async () => {
    const lines = await scriptPod('outsider', "nslookup outside.example | grep -A9 '^Name' | grep '^Address' | sed 's/^Address[ 0-9]*: *//'");
    expect(lines).toEqual(['192.0.2.77']);
    expect(upstream.queries.some((q) => q.endsWith('outside.example'))).toBe(true);
  });
});

describe('NetworkPolicy', () => {
  it('blocks pods a policy does not allow, lets in the labelled client, and keeps the kubelet\'s probes working', async () => {
    await rt.runtime.cluster.create(resources.networkpolicies, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web-from-allowed', namespace: ns },
      spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { access: 'true' } } }], ports: [{ port: 'http' }] }] },
    });
    await rt.runtime.servicesSettled();
    // A new pod's address reaches the rules once the kubelet reports it; the clients wait a moment before calling.
    // A refused or dropped connection both end in BLOCKED (timeout prints "Terminated" when it had to stop wget).
    const call = 'sleep 2; for i in 1 2 3; do timeout 3 wget -qO- http://web/ 2>&1 || echo BLOCKED; done 2>&1 | grep -v Terminated';
    const [allowed, denied] = await Promise.all([
      scriptPod('allowed', call, { labels: { access: 'true' } }),
      scriptPod('denied', call, { labels: { access: 'false' } }),
    ]);
    expect(allowed.every((l) => l === 'web-1' || l === 'web-2'), allowed.join(' | ')).toBe(true);
    expect(denied).toEqual(['BLOCKED', 'BLOCKED', 'BLOCKED']);
    for (const name of ['web-1', 'web-2']) expect(ready(await rt.runtime.cluster.get(resources.pods, ns, name))).toBe(true);

    await rt.runtime.cluster.delete(resources.networkpolicies, ns, 'web-from-allowed');
    await rt.runtime.servicesSettled();
    const after = await scriptPod('denied-before', 'for i in 1 2; do timeout 3 wget -qO- http://web/ || echo BLOCKED; done', { labels: { access: 'false' } });
    expect(after.every((l) => l === 'web-1' || l === 'web-2'), after.join(' | ')).toBe(true);
  });
});
