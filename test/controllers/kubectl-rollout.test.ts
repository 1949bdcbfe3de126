import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllers } from '../../runtime/controllers/index.js';
import { startRuntime, type RunningRuntime } from '../../runtime/runtime-server.js';
import { FakeKubelet } from './fake-kubelet.js';

const run = promisify(execFile);
let dir: string;
let runtime: RunningRuntime;
let controllers: { stop(): Promise<void> };
let kubelet: FakeKubelet;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', args, { env: { ...process.env, KUBECONFIG: runtime.kubeconfigPath }, timeout: 60_000 });
  return stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-kubectl-rollout-'));
  runtime = await startRuntime({ stateDir: dir, port: 0, controllers: false, kubelet: false, proxy: false });
  controllers = await startControllers({ cluster: runtime.cluster });
  kubelet = new FakeKubelet(runtime.cluster, 'default').start();
});

afterAll(async () => {
  kubelet?.stop();
  await controllers?.stop();
  await runtime?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('kubectl rollout against the built-in runtime', () => {
  it('status, history, undo, restart, pause and resume behave as on Kubernetes', async () => {
    const manifest = join(dir, 'web.yaml');
    await writeFile(
      manifest,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: "app:1"}]}
`,
    );
    await kubectl('apply', '-f', manifest);
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain('deployment "web" successfully rolled out');

    await kubectl('set', 'image', 'deployment/web', 'app=app:2');
    await kubectl('annotate', 'deployment/web', 'kubernetes.io/change-cause=upgrade to app:2');
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain('successfully rolled out');
    const history = await kubectl('rollout', 'history', 'deployment/web');
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+.*\n2\s+upgrade to app:2/);

    // Undo to revision 1: the old ReplicaSet comes back as revision 3.
    await kubectl('rollout', 'undo', 'deployment/web');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    expect(await kubectl('get', 'deployment/web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}')).toBe('app:1');
    expect(await kubectl('rollout', 'history', 'deployment/web')).toMatch(/\n2\s+.*\n3\s+/);
    expect(await kubectl('get', 'rs', '-l', 'app=web', '-o', 'name')).toMatch(/^(replicaset\.apps\/web-\w+\n){2}$/);

    await kubectl('rollout', 'restart', 'deployment/web');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    expect(await kubectl('get', 'deployment/web', '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}')).toBe('4');

    await kubectl('rollout', 'pause', 'deployment/web');
    await kubectl('set', 'image', 'deployment/web', 'app=app:3');
    await expect(kubectl('rollout', 'undo', 'deployment/web')).rejects.toThrow(/cannot rollback a paused deployment/);
    expect((await kubectl('get', 'rs', '-l', 'app=web', '-o', 'name')).trim().split('\n')).toHaveLength(3);
    await kubectl('rollout', 'resume', 'deployment/web');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    expect(await kubectl('get', 'deployment/web', '-o', 'jsonpath={.status.updatedReplicas}/{.status.availableReplicas}')).toBe('3/3');
  });
});
