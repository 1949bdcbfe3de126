import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, pushImage, startRegistry, type LocalRegistry } from '../support/oci-registry.js';
import { kubectl, startOciRuntime, type OciRuntime } from '../support/oci-runtime.js';

/**
 * metrics.k8s.io for an image pod: its usage comes from the cgroup runc made
 * for the container (cpuacct and memory on cgroup v1, cpu.stat and
 * memory.current on v2), not from /proc as for process pods.
 */
let registry: LocalRegistry;
let rt: OciRuntime;

beforeAll(async () => {
  registry = await startRegistry();
  await pushImage(registry, 'team/burn:v1', buildImage({ cmd: ['sh', '-c', 'trap "exit 0" TERM; while :; do :; done'] }));
  rt = await startOciRuntime({ metricResolutionMs: 2000 });
}, 120_000);

afterAll(async () => {
  await rt?.close();
  await registry?.stop();
});

const millicores = (q: string) => (q.endsWith('n') ? Number(q.slice(0, -1)) / 1e6 : q.endsWith('u') ? Number(q.slice(0, -1)) / 1e3 : q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
const kib = (q: string) => (q.endsWith('Mi') ? Number(q.slice(0, -2)) * 1024 : q.endsWith('Ki') ? Number(q.slice(0, -2)) : Number(q) / 1024);

describe('metrics of image pods', () => {
  it('reports a busy container from its cgroup, and kubectl top shows it', async () => {
    await rt.createPod('burn', { terminationGracePeriodSeconds: 1, containers: [{ name: 'burn', image: `${registry.host}/team/burn:v1`, resources: { requests: { cpu: '50m' } } }] });
    await rt.waitForPod('burn', 'running', (p) => p.status?.phase === 'Running');
    const kubeconfig = rt.runtime.kubeconfigPath;
    const path = `/apis/metrics.k8s.io/v1beta1/namespaces/${rt.namespace}/pods/burn`;
    let metrics: any;
    for (const deadline = Date.now() + 30_000; !metrics && Date.now() < deadline; ) {
      metrics = await kubectl(kubeconfig, ['get', '--raw', path]).then(JSON.parse, () => undefined);
      if (!metrics) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(metrics?.containers?.[0]?.name).toBe('burn');
    expect(millicores(metrics.containers[0].usage.cpu)).toBeGreaterThan(200);
    // The cgroup's working set: the shell's pages at least.
    expect(kib(metrics.containers[0].usage.memory)).toBeGreaterThan(0);
    expect(await kubectl(kubeconfig, ['top', 'pod', '-n', rt.namespace, '--no-headers'])).toMatch(/^burn\s+\d+m\s+\d+Mi/);
  }, 90_000);
});
