import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import type { KubernetesObject } from '@kubernetes/client-node';
import { pino } from 'pino';
import { clusterTargets, type ClusterTarget } from '../../controller/clusters/index.js';
import { startKubelet, type Kubelet } from '../../runtime/kubelet/index.js';
import { startServiceProxy, type ServiceProxy } from '../../runtime/proxy/index.js';
import { resources } from '../../runtime/resources/registry.js';
import { startRuntime, type RunningRuntime } from '../../runtime/runtime-server.js';

/**
 * The built-in runtime with everything that makes pods real: its API (with
 * the deployment, replicaset and endpoints controllers), a kubelet running
 * containers as processes, and the service proxy on ClusterIPs.
 */
export interface Harness {
  dir: string;
  runtime: RunningRuntime;
  target: ClusterTarget;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-apply-'));
  // The API serves logs through the kubelet, which needs the API's store first.
  const started: { kubelet?: Kubelet } = {};
  const runtime = await startRuntime({
    stateDir: dir,
    port: 0,
    logs: async (pod, options) => {
      if (!started.kubelet) throw new Error('kubelet not started');
      return started.kubelet.logs(pod.metadata.namespace ?? 'default', pod.metadata.name!, options);
    },
  });
  const kubelet = (started.kubelet = await startKubelet({ cluster: runtime.cluster, stateDir: join(dir, 'kubelet'), resyncMs: 2000 }));
  const proxy: ServiceProxy = await startServiceProxy({ cluster: runtime.cluster, nodePortHost: '127.0.0.1', logger: pino({ level: 'silent' }) });
  const target = clusterTargets({ localKubeconfig: runtime.kubeconfigPath, kubeconfig: join(dir, 'no-such-kubeconfig') }).get('local');
  return {
    dir,
    runtime,
    target,
    async close() {
      await proxy.stop();
      // Pods first, with the controllers still up to see them go; the kubelet reaps their processes.
      const pods = (await runtime.cluster.list(resources.pods)).items;
      for (const ns of new Set(pods.map((p) => p.metadata.namespace!))) {
        for (const d of (await runtime.cluster.list(resources.deployments, { namespace: ns })).items) {
          await runtime.cluster.delete(resources.deployments, ns, d.metadata.name!).catch(() => undefined);
        }
      }
      for (const pod of pods) await runtime.cluster.delete(resources.pods, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => undefined);
      const podsDir = join(dir, 'kubelet', 'pods');
      for (let i = 0; i < 150 && (await readdir(podsDir).catch(() => [])).length > 0; i++) await sleep(100);
      await kubelet.stop();
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Serves VERSION on `/`; `/ready` fails while BROKEN is set. Exits cleanly on SIGTERM. */
export const WEB_SERVER = `
const http = require('http');
const server = http.createServer((req, res) => {
  if (req.url === '/ready') { res.statusCode = process.env.BROKEN ? 503 : 200; return res.end(); }
  res.end(process.env.VERSION);
}).listen(Number(process.env.PORT), process.env.POD_IP);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

export interface WebAppOptions {
  namespace: string;
  name: string;
  version: string;
  port: number;
  replicas?: number;
  broken?: boolean;
  /** Replaces the web server with this script. */
  script?: string;
}

/** A Deployment of WEB_SERVER behind a ClusterIP Service, as the renderer would produce it. */
export function webApp(o: WebAppOptions): KubernetesObject[] {
  const labels = { app: o.name };
  const env = [{ name: 'VERSION', value: o.version }, ...(o.broken ? [{ name: 'BROKEN', value: '1' }] : [])];
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: o.name, namespace: o.namespace },
      spec: {
        replicas: o.replicas ?? 2,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        selector: { matchLabels: labels },
        template: {
          // The app label on pods too, as charts do: prune must still leave owned pods to their owners.
          metadata: { labels: { ...labels, 'baton.dev/app': o.name, 'app.kubernetes.io/managed-by': 'baton' } },
          spec: {
            terminationGracePeriodSeconds: 5,
            containers: [
              {
                name: 'web',
                image: `web:${o.version}`,
                command: [process.execPath, '-e', o.script ?? WEB_SERVER],
                env,
                ports: [{ name: 'http', containerPort: o.port }],
                readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
              },
            ],
          },
        },
      },
    } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: o.name, namespace: o.namespace },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    } as KubernetesObject,
  ];
}

export function randomPort(): number {
  return 20_000 + Math.floor(Math.random() * 30_000);
}

/** GETs `url` over and over until stopped; counts answers by body and failures by message. */
export function keepRequesting(url: string): { stop(): Promise<{ ok: Map<string, number>; failed: string[] }> } {
  const ok = new Map<string, number>();
  const failed: string[] = [];
  let running = true;
  const agent = new http.Agent({ keepAlive: false });
  const loop = (async () => {
    while (running) {
      await new Promise<void>((resolve) => {
        const req = http.get(url, { agent, timeout: 5000 }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (body += c));
          res.on('end', () => {
            if (res.statusCode === 200) ok.set(body, (ok.get(body) ?? 0) + 1);
            else failed.push(`HTTP ${res.statusCode}`);
            resolve();
          });
          res.on('error', (e) => {
            failed.push(e.message);
            resolve();
          });
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (e) => {
          failed.push(e.message);
          resolve();
        });
      });
      await sleep(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      agent.destroy();
      return { ok, failed };
    },
  };
}
