import { chmodSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { startKubelet, type Kubelet } from '../../runtime/kubelet/index.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';

/** A fresh in-memory cluster, a kubelet on its own state dir, and helpers; `close()` kills every pod it ran. */
export interface Harness {
  cluster: LocalCluster;
  kubelet: Kubelet;
  stateDir: string;
  namespace: string;
  restartKubelet(): Promise<void>;
  createPod(name: string, spec: Record<string, unknown>, labels?: Record<string, string>): Promise<KubeObject>;
  getPod(name: string): Promise<KubeObject>;
  waitForPod(name: string, what: string, ok: (pod: KubeObject) => boolean, timeoutMs?: number): Promise<KubeObject>;
  logs(name: string, options?: Parameters<Kubelet['logs']>[2]): Promise<string>;
  close(): Promise<void>;
}

let counter = 0;

export async function startHarness(): Promise<Harness> {
  const stateDir = await mkdtemp(join(tmpdir(), 'baton-kubelet-'));
  const cluster = await openLocalCluster();
  const namespace = `kt-${process.pid}-${++counter}`;
  let kubelet: Kubelet;
  try {
    await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    kubelet = await startKubelet({ cluster, stateDir, resyncMs: 2000 });
  } catch (err) {
    // A harness that never started takes its state dir along (runs under load left them in /tmp).
    await cluster.close();
    await rm(stateDir, { recursive: true, force: true });
    throw err;
  }
  const h: Harness = {
    cluster,
    kubelet,
    stateDir,
    namespace,
    async restartKubelet() {
      await h.kubelet.stop();
      h.kubelet = await startKubelet({ cluster, stateDir, resyncMs: 2000 });
    },
    createPod(name, spec, labels) {
      return cluster.create(resources.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec });
    },
    getPod(name) {
      return cluster.get(resources.pods, namespace, name);
    },
    async waitForPod(name, what, ok, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: KubeObject | undefined;
      for (;;) {
        try {
          last = await cluster.get(resources.pods, namespace, name);
          if (ok(last)) return last;
        } catch {
          last = undefined;
          if (ok(undefined as unknown as KubeObject)) return last as unknown as KubeObject;
        }
        if (Date.now() > deadline) throw new Error(`pod ${name} never became ${what}; last status: ${JSON.stringify(last?.status, null, 1)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async logs(name, options) {
      return text(h.kubelet.logs(namespace, name, options));
    },
    async close() {
      // Deleting with a zero grace lets the kubelet reap the processes as orphans before it stops.
      const pods = (await cluster.list(resources.pods, { namespace })).items;
      for (const p of pods) await cluster.delete(resources.pods, namespace, p.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => undefined);
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && (await import('node:fs')).readdirSync(join(stateDir, 'pods'), { withFileTypes: true }).length > 0) {
        await new Promise((r) => setTimeout(r, 200));
      }
      await h.kubelet.stop();
      await cluster.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  return h;
}

export const NODE = process.execPath;

/** A node HTTP server on POD_IP:PORT answering with its environment as JSON. */
export const HTTP_SERVER = `
const http = require('http');
http.createServer((req, res) => {
  if (req.url === '/healthz' && require('fs').existsSync(process.env.UNHEALTHY_FILE || '/nonexistent-baton')) { res.statusCode = 500; return res.end('sick'); }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ env: process.env, argv: process.argv.slice(1), pid: process.pid }));
}).listen(Number(process.env.PORT), process.env.POD_IP, () => console.log('listening on ' + process.env.POD_IP + ':' + process.env.PORT));
process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(0); });
`;

export function isReady(pod: KubeObject | undefined): boolean {
  return !!pod && (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/** GETs JSON, retrying while nothing listens yet (a container without a readiness probe is ready before it binds). */
export async function httpGetJson(url: string): Promise<any> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url);
      return await res.json();
    } catch (err) {
      if (attempt > 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Pods run sandboxed (their own /tmp, the host read-only, the state dir
 * hidden): a test that talks to a pod through files shares a host directory
 * with it the Kubernetes way, a hostPath volume mounted at the same path in
 * every container. The directory is made writable for the pod's user.
 */
export function sharingHostDir(dir: string, spec: Record<string, any>): Record<string, any> {
  chmodSync(dir, 0o777);
  const mount = { name: 'host-dir', mountPath: dir };
  const withMount = (c: any) => ({ ...c, volumeMounts: [...(c.volumeMounts ?? []), mount] });
  return {
    ...spec,
    volumes: [...(spec.volumes ?? []), { name: 'host-dir', hostPath: { path: dir, type: 'Directory' } }],
    containers: (spec.containers ?? []).map(withMount),
    ...(spec.initContainers ? { initContainers: spec.initContainers.map(withMount) } : {}),
  };
}
