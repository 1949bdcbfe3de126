import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, kubectlOk, startE2eRuntime, type RuntimeProcess } from './support/e2e-runtime.js';
import { waitFor } from '../support/wait.js';

const marker = `capacity-${randomBytes(4).toString('hex')}`;
const namespace = `e2e-${marker}`;
/** More than a stock kubelet's maxPods (110): the single node is the whole cluster, and the issue scales to 1000. */
const REPLICAS = 120;
let rt: RuntimeProcess;

beforeAll(async () => {
  rt = await startE2eRuntime();
  await kubectlOk(rt.kubeconfig, ['create', 'namespace', namespace]);
}, 300_000);

afterAll(async () => {
  const leaked = await cleanUp(rt, namespace, marker);
  expect(leaked, 'pod processes left after deleting the namespace').toBe(0);
}, 300_000);

describe('the single node of the built-in runtime', () => {
  it(`runs a Deployment of ${REPLICAS} pods`, { timeout: 600_000 }, async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'many', namespace },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: 'many' } },
        template: {
          metadata: { labels: { app: 'many' } },
          spec: {
            terminationGracePeriodSeconds: 2,
            containers: [{ name: 'sleep', image: 'sleep', command: ['sleep', '3600'], env: [{ name: 'E2E_MARK', value: marker }] }],
          },
        },
      },
    };
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], stringify(deployment));
    // Done when every pod is Ready, or as soon as one is refused by the scheduler.
    const pods = await waitFor(
      `${REPLICAS} Ready pods or an Unschedulable one`,
      async () => {
        const items = JSON.parse(await kubectlOk(rt.kubeconfig, ['-n', namespace, 'get', 'pods', '-o', 'json'])).items as any[];
        const condition = (p: any, type: string) => (p.status?.conditions ?? []).find((c: any) => c.type === type);
        const unschedulable = items.filter((p) => condition(p, 'PodScheduled')?.reason === 'Unschedulable');
        const ready = items.filter((p) => condition(p, 'Ready')?.status === 'True');
        if (unschedulable.length > 0 || ready.length === REPLICAS) return { ready: ready.length, unschedulable: unschedulable.map((p) => `${p.metadata.name}: ${condition(p, 'PodScheduled').message}`) };
        return false;
      },
      { timeoutMs: 480_000, intervalMs: 500 },
    );
    expect(pods.unschedulable).toEqual([]);
    expect(pods.ready).toBe(REPLICAS);
  });
});
