import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess;
let dir: string;
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, args);

beforeAll(async () => {
  rt = await startRuntimeProcess();
  dir = await mkdtemp(join(tmpdir(), 'baton-prune-'));
  await k('create', 'namespace', 'prune');
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: prune, labels: {app: x}}\ndata: {k: v}\n`;
const deployment = (name: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: prune, labels: {app: x}}\nspec:\n  replicas: 0\n  selector: {matchLabels: {run: ${name}}}\n  template:\n    metadata: {labels: {run: ${name}}}\n    spec:\n      containers: [{name: c, image: busybox, command: [sleep, "600"]}]\n`;

describe('kubectl apply --prune with its default allowlist', () => {
  it('deletes the labelled ConfigMap and Deployment removed from the directory, and keeps the rest', async () => {
    await writeFile(join(dir, 'keep.yaml'), configMap('keep'));
    await writeFile(join(dir, 'gone.yaml'), configMap('gone'));
    await writeFile(join(dir, 'web.yaml'), deployment('web'));
    await writeFile(join(dir, 'old-web.yaml'), deployment('old-web'));
    await k('apply', '--prune', '-l', 'app=x', '-f', dir);
    // Not in the directory and not labelled: never pruned.
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bystander, namespace: prune}\n');

    await rm(join(dir, 'gone.yaml'));
    await rm(join(dir, 'old-web.yaml'));
    const r = await kubectl(rt.kubeconfig, ['apply', '--prune', '-l', 'app=x', '-f', dir]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('configmap/gone pruned');
    expect(r.stdout).toContain('deployment.apps/old-web pruned');
    expect(r.stdout).not.toContain('keep pruned');
    const left = await k('get', 'configmaps,deployments', '-n', 'prune', '-o', 'name');
    expect(left).toContain('configmap/keep');
    expect(left).toContain('configmap/bystander');
    expect(left).toContain('deployment.apps/web');
    expect(left).not.toContain('configmap/gone');
    expect(left).not.toContain('deployment.apps/old-web');
  });
});
