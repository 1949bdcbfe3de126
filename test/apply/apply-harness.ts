import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import type { KubernetesObject } from '@kubernetes/client-node';
import { clusterTargets, type ClusterTarget } from '../../controller/clusters/cluster-target.js';
import { startRuntime, type RunningRuntime } from '../../runtime/runtime-server.js';

/**
 * The built-in runtime with everything that makes pods real: its API, the
 * deployment, replicaset and endpoints controllers, the kubelet running
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
  const runtime = await startRuntime({ stateDir: dir, port: 0, node: { defaultRuntimeClass: 'process' } });
  const target = clusterTargets({ localKubeconfig: runtime.kubeconfigPath, kubeconfig: join(dir, 'no-such-kubeconfig') }).get('local');
  return {
    dir,
    runtime,
    target,
    async close() {
      await runtime.close({ stopPods: true });
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
                // Tolerant of a loaded machine: a slow answer must not flap a healthy pod out of its Service.
                readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 3 },
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

/** `healthy`, or the gate's reason: a failed expectation then says why. */
export function outcome(result: { healthy: true } | { healthy: false; reason: string }): string {
  return result.healthy ? 'healthy' : result.reason;
}
