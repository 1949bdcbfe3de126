import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { buildImage, pushImage, startRegistry, type LocalRegistry } from '../support/oci-registry.js';
import { startOciRuntime, type OciRuntime } from '../support/oci-runtime.js';

// Host programs (`runtimeClassName: process`) on a runtime whose pod network runs with Services in
// the kernel: each process pod gets its own network namespace on the bridge, as an image pod does.

let registry: LocalRegistry;
let rt: OciRuntime;
let ns: string;
let hostServer: Server;
let hostPort: number;

const BUSYBOX = '/bin/busybox';
const ready = (p: KubeObject) => p.status?.phase === 'Running' && (p.status?.containerStatuses ?? []).every((c: any) => c.ready);

/** Whether `ip` lies in the runtime's pod CIDR (a /24 in these tests). */
function inPodCidr(ip: string): boolean {
  const [base] = rt.podCidr.split('/');
  return ip.split('.').slice(0, 3).join('.') === base.split('.').slice(0, 3).join('.');
}

/** An image pod running `script`, then `echo DONE` and sleeping. */
async function imagePod(name: string, script: string): Promise<string[]> {
  await rt.createPod(name, { containers: [{ name: 'c', image: `${registry.host}/team/idle:v1`, command: ['sh', '-c', `${script}; echo DONE; sleep 3600`] }], terminationGracePeriodSeconds: 1 });
  return rt.linesUntilDone(name);
}

/** A process pod running `script` with the host's busybox sh, then `echo DONE` and sleeping. */
async function processPod(name: string, script: string, spec: Record<string, unknown> = {}): Promise<string[]> {
  await rt.createPod(name, { runtimeClassName: 'process', containers: [{ name: 'c', image: 'host', command: [BUSYBOX, 'sh', '-c', `${script}; echo DONE; exec ${BUSYBOX} sleep 3600`] }], terminationGracePeriodSeconds: 1, ...spec });
  return rt.linesUntilDone(name);
}

/**
 * A process pod's shell lines that print the body of `GET /` from `ip`, or BLOCKED when nothing answers in 3 s.
 * Debian's static busybox wget crashes in glibc on a machine with network interfaces; its nc does not.
 */
function httpGet(ip: string): string {
  return `out=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | ${BUSYBOX} timeout 3 ${BUSYBOX} nc ${ip} 80 2>/dev/null | ${BUSYBOX} tail -n 1); [ -n "$out" ] && echo "$out" || echo BLOCKED`;
}

/** The network namespace the kubelet recorded for a pod. */
async function podNetnsPath(name: string): Promise<string> {
  const pod = await rt.runtime.cluster.get(resources.pods, ns, name);
  const record = JSON.parse(readFileSync(`${rt.dir}/node/pods/${pod.metadata.uid}/state.json`, 'utf8'));
  return record.sandbox.netnsPath as string;
}

beforeAll(async () => {
  // Something a pod on the host's network could reach: a server on the host's 127.0.0.1.
  hostServer = createServer((socket) => socket.end('HOST-SECRET\n'));
  await new Promise<void>((resolve) => hostServer.listen(0, '127.0.0.1', resolve));
  hostPort = (hostServer.address() as { port: number }).port;
  registry = await startRegistry();
  await pushImage(registry, 'team/idle:v1', buildImage({ cmd: ['sleep', '3600'] }));
  rt = await startOciRuntime();
  ns = rt.namespace;
  // The host's busybox serving its hostname; probes of each kind: tcp and http from the host, exec inside.
  await rt.createPod(
    'proc-web',
    {
      runtimeClassName: 'process',
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'web',
          image: 'host',
          command: [BUSYBOX, 'sh', '-c', `mkdir -p /tmp/www && ${BUSYBOX} hostname > /tmp/www/index.html && exec ${BUSYBOX} httpd -f -p 8080 -h /tmp/www`],
          ports: [{ name: 'http', containerPort: 8080 }],
          startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
          livenessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
          // 127.0.0.1 is the pod's own loopback only when exec enters its network namespace.
          readinessProbe: { exec: { command: [BUSYBOX, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | ${BUSYBOX} nc 127.0.0.1 8080 | ${BUSYBOX} grep -q proc-web`] }, periodSeconds: 1 },
        },
      ],
    },
    { app: 'proc-web' },
  );
  await rt.runtime.cluster.create(resources.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'proc-web', namespace: ns }, spec: { selector: { app: 'proc-web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
  await rt.waitForPod('proc-web', 'ready', ready);
  await rt.waitForEndpoints('proc-web', 1);
}, 180_000);

afterAll(async () => {
  await rt?.close();
  await registry?.stop();
  await new Promise((resolve) => hostServer?.close(resolve));
});

describe('process pods on the pod network', () => {
  it('get an address from the pod CIDR, their own hostname, and pass tcp, http and exec probes', async () => {
    const pod = await rt.runtime.cluster.get(resources.pods, ns, 'proc-web');
    expect(inPodCidr(pod.status!.podIP), pod.status!.podIP).toBe(true);
    expect(pod.status!.podIPs).toEqual([{ ip: pod.status!.podIP }]);
    expect(pod.status!.containerStatuses[0].restartCount).toBe(0);
    expect(existsSync(await podNetnsPath('proc-web'))).toBe(true);
  });

  it('are called by image pods through their Service name', async () => {
    const lines = await imagePod('image-caller', 'for n in proc-web proc-web.' + ns + '.svc.cluster.local; do timeout 5 wget -qO- http://$n/ || echo FAILED $n; done');
    expect(lines).toEqual(['proc-web', 'proc-web']);
  });

  it('resolve Service names with cluster DNS from Kubernetes\' resolv.conf, hosts and hostname files', async () => {
    const dns = (rt.runtime.services as { clusterDns: string }).clusterDns;
    const service = await rt.runtime.cluster.get(resources.services, ns, 'proc-web');
    // Debian's static busybox cannot resolve names through glibc: its nslookup asks the nameserver of
    // /etc/resolv.conf itself, and the pod then calls the address it got.
    const lookup = (name: string) => `${BUSYBOX} nslookup ${name} | ${BUSYBOX} grep -A9 '^Name' | ${BUSYBOX} grep '^Address' | ${BUSYBOX} sed 's/^Address[ 0-9]*: *//'`;
    const lines = await processPod(
      'proc-caller',
      `cat /etc/resolv.conf /etc/hostname; ${BUSYBOX} grep -c proc-caller /etc/hosts; ip=$(${lookup(`proc-web.${ns}.svc.cluster.local`)}); echo $ip; ${httpGet('$ip')}`,
    );
    expect(lines).toEqual([`search ${ns}.svc.cluster.local svc.cluster.local cluster.local`, `nameserver ${dns}`, 'options ndots:5', 'proc-caller', '1', service.spec!.clusterIP, 'proc-web']);
  });

  it('run host programs that resolve short Service names through the host\'s libc, as the example shop\'s node does', async () => {
    const script = "require('http').get('http://proc-web/', (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => console.log(b.trim())); }).on('error', (e) => console.log('FAILED', e.message))";
    const lines = await processPod('proc-node', `node -e ${JSON.stringify(script)}`);
    expect(lines).toEqual(['proc-web']);
  });

  it('cannot reach ports on the host\'s loopback', async () => {
    const lines = await processPod('proc-prober', `${BUSYBOX} nc -w 3 127.0.0.1 ${hostPort} </dev/null 2>/dev/null || echo BLOCKED`);
    expect(lines).toEqual(['BLOCKED']);
  });

  it('keep a loopback address on the host\'s network with hostNetwork: true', async () => {
    const lines = await processPod('proc-host', `${BUSYBOX} nc -w 3 127.0.0.1 ${hostPort} </dev/null 2>/dev/null || echo BLOCKED`, { hostNetwork: true });
    expect(lines).toEqual(['HOST-SECRET']);
    const pod = await rt.runtime.cluster.get(resources.pods, ns, 'proc-host');
    expect(pod.status!.podIP).toMatch(/^127\.1\./);
  });

  it('are policed by NetworkPolicy; the kubelet\'s probes from the host still pass', async () => {
    await rt.runtime.cluster.create(resources.networkpolicies, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'proc-web-deny', namespace: ns },
      spec: { podSelector: { matchLabels: { app: 'proc-web' } }, policyTypes: ['Ingress'] },
    });
    await rt.runtime.servicesSettled();
    // A dropped connection ends in BLOCKED (timeout prints "Terminated" when it had to stop wget).
    const { clusterIP } = (await rt.runtime.cluster.get(resources.services, ns, 'proc-web')).spec!;
    const [fromImage, fromProcess] = await Promise.all([
      imagePod('denied-image', 'sleep 2; for i in 1 2; do timeout 3 wget -qO- http://proc-web/ 2>&1 || echo BLOCKED; done 2>&1 | grep -v Terminated'),
      processPod('denied-process', `sleep 2; for i in 1 2; do ${httpGet(clusterIP)}; done 2>&1 | ${BUSYBOX} grep -v Terminated`),
    ]).finally(async () => {
      await rt.runtime.cluster.delete(resources.networkpolicies, ns, 'proc-web-deny');
      await rt.runtime.servicesSettled();
    });
    expect(fromImage).toEqual(['BLOCKED', 'BLOCKED']);
    expect(fromProcess).toEqual(['BLOCKED', 'BLOCKED']);
    expect(ready(await rt.runtime.cluster.get(resources.pods, ns, 'proc-web'))).toBe(true);
  });

  it('release their network namespace when they finish and when they are deleted', async () => {
    await rt.createPod('proc-once', { runtimeClassName: 'process', restartPolicy: 'Never', containers: [{ name: 'c', image: 'host', command: [BUSYBOX, 'sleep', '3'] }] });
    await rt.waitForPod('proc-once', 'running', (p) => p.status?.phase === 'Running');
    const finishedNetns = await podNetnsPath('proc-once');
    await rt.waitForPod('proc-once', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    await expect.poll(() => existsSync(finishedNetns), { timeout: 15_000 }).toBe(false);

    const deletedNetns = await podNetnsPath('proc-caller');
    expect(existsSync(deletedNetns)).toBe(true);
    await rt.runtime.cluster.delete(resources.pods, ns, 'proc-caller');
    await expect.poll(() => existsSync(deletedNetns), { timeout: 15_000 }).toBe(false);
  });

  it('keep running, with the same address, across a restart of the runtime', async () => {
    const before = await rt.runtime.cluster.get(resources.pods, ns, 'proc-web');
    await rt.restart();
    await rt.waitForPod('proc-web', 'ready again', ready);
    const after = await rt.runtime.cluster.get(resources.pods, ns, 'proc-web');
    expect(after.status!.podIP).toBe(before.status!.podIP);
    expect(after.status!.containerStatuses[0].containerID).toBe(before.status!.containerStatuses[0].containerID);
    await rt.waitForEndpoints('proc-web', 1);
    expect(await imagePod('after-restart', 'timeout 5 wget -qO- http://proc-web/ || echo FAILED')).toEqual(['proc-web']);
  });
});
