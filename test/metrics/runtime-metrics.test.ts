import net from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatonMetrics, type BatonMetrics } from '../../controller/observe/metrics/baton-metrics.js';
import { observeRuntime } from '../../controller/observe/metrics/observe-runtime.js';
import { recordEvent } from '../../runtime/objects/record-event.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { startServiceProxy, type ServiceProxy } from '../../runtime/proxy/index.js';
import { resources } from '../../runtime/resources/registry.js';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { ensureNamespace, randomLoopback } from '../proxy/helpers.js';
import { sampleValue } from './parse-exposition.js';
import { serveMetrics } from './serve-metrics.js';
import { waitFor } from '../support/wait.js';

let cluster: LocalCluster;
let proxy: ServiceProxy;
let metrics: BatonMetrics;
let stop: () => void;
let server: Awaited<ReturnType<typeof serveMetrics>>;
const namespace = `metrics-${process.pid}-${Math.floor(Math.random() * 1e6)}`;

beforeAll(async () => {
  cluster = await openLocalCluster();
  await ensureNamespace(cluster, namespace);
  proxy = await startServiceProxy({ cluster, nodePortHost: randomLoopback('127.3'), logger: pino({ level: 'silent' }) });
  metrics = createBatonMetrics(undefined, { defaultMetrics: false });
  stop = await observeRuntime(metrics, { cluster, proxy });
  server = await serveMetrics(metrics);
});

afterAll(async () => {
  stop?.();
  await server?.close();
  await proxy?.stop();
  await cluster?.close();
});

async function pod(name: string, phase: string, restartCount: number): Promise<KubeObject> {
  const created = await cluster.create(resources.pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { containers: [{ name: 'web', image: 'shop/web:1', command: ['sleep', '1000'] }] },
  });
  return cluster.update(
    resources.pods,
    { ...created, status: { phase, containerStatuses: [{ name: 'web', ready: phase === 'Running', restartCount, image: 'shop/web:1', imageID: '', started: true }] } },
    { status: true },
  );
}

describe('runtime metrics from a real in-process cluster and service proxy', () => {
  it('shows pods by phase and container restarts, read at scrape time', async () => {
    await pod('web-a', 'Running', 0);
    const crashing = await pod('web-b', 'Running', 4);
    await pod('job-c', 'Succeeded', 0);
    let m = await server.scrape();
    expect(sampleValue(m, 'baton_runtime_pods', { namespace, phase: 'Running' })).toBe(2);
    expect(sampleValue(m, 'baton_runtime_pods', { namespace, phase: 'Succeeded' })).toBe(1);
    expect(sampleValue(m, 'baton_runtime_container_restarts_total', { namespace, pod: 'web-b', container: 'web' })).toBe(4);

    await cluster.delete(resources.pods, namespace, crashing.metadata.name!, { gracePeriodSeconds: 0 });
    m = await server.scrape();
    expect(sampleValue(m, 'baton_runtime_pods', { namespace, phase: 'Running' })).toBe(1);
    expect(sampleValue(m, 'baton_runtime_container_restarts_total', { pod: 'web-b' })).toBeUndefined();
  });

  it('counts probe failures from the kubelet Unhealthy events recorded from now on', async () => {
    const target = await cluster.get(resources.pods, namespace, 'web-a');
    await recordEvent(cluster, target, 'Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', 'kubelet');
    await recordEvent(cluster, target, 'Warning', 'Unhealthy', 'Readiness probe failed: connect ECONNREFUSED', 'kubelet');
    await recordEvent(cluster, target, 'Warning', 'Unhealthy', 'Liveness probe failed: exit code 1', 'kubelet');
    await recordEvent(cluster, target, 'Normal', 'Pulled', 'Container image already present', 'kubelet');
    const m = await waitFor('probe failures counted', async () => {
      const s = await server.scrape();
      return sampleValue(s, 'baton_runtime_probe_failures_total', { namespace, probe: 'liveness' }) === 1 ? s : undefined;
    });
    expect(sampleValue(m, 'baton_runtime_probe_failures_total', { namespace, probe: 'readiness' })).toBe(2);
  });

  it('shows the service proxy connections and errors per Service', async () => {
    const svc = await cluster.create(resources.services, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'catalog', namespace },
      spec: { selector: { app: 'catalog' }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] },
    });
    const service = `${namespace}/catalog`;
    await waitFor('proxy listening', () => (proxy.stats()[service]?.listening.length ?? 0) > 0);
    // No ready endpoint: the proxy accepts, then closes the connection, and counts an error.
    const socket = net.connect(8080, svc.spec.clusterIP as string);
    await new Promise<void>((resolve) => socket.on('close', () => resolve()).on('error', () => undefined));
    const m = await waitFor('proxy error counted', async () => {
      const s = await server.scrape();
      return sampleValue(s, 'baton_proxy_errors_total', { service }) === 1 ? s : undefined;
    });
    expect(sampleValue(m, 'baton_proxy_connections_total', { service })).toBe(1);
    expect(sampleValue(m, 'baton_proxy_active_connections', { service })).toBe(0);
    expect(sampleValue(m, 'baton_proxy_ready_endpoints', { service, port: '8080' })).toBe(0);
  });
});
