import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';
import { waitFor } from '../support/wait.js';

let rt: RuntimeProcess;
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, args);

beforeAll(async () => {
  rt = await startRuntimeProcess();
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

describe('ServiceAccounts', () => {
  it('gives every namespace a default ServiceAccount, and makes it again when deleted', async () => {
    await k('create', 'namespace', 'sa-shop');
    await waitFor('default in sa-shop', async () => (await k('get', 'serviceaccounts', '-n', 'sa-shop', '-o', 'name')).includes('serviceaccount/default'), { timeoutMs: 20_000, intervalMs: 200 });
    expect(await k('get', 'sa', '-n', 'kube-system', '-o', 'name')).toContain('serviceaccount/default');
    await k('delete', 'sa', 'default', '-n', 'sa-shop');
    await waitFor('default made again', async () => (await k('get', 'sa', '-n', 'sa-shop', '-o', 'name')).includes('serviceaccount/default'), { timeoutMs: 20_000, intervalMs: 200 });
  });

  it('applies an app that ships its own ServiceAccount and names it in its pods, as real repositories do', async () => {
    const manifest = [
      'apiVersion: v1',
      'kind: ServiceAccount',
      'metadata: {name: podinfo, namespace: sa-shop}',
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: named, namespace: sa-shop}',
      'spec:',
      '  serviceAccountName: podinfo',
      '  containers: [{name: c, image: registry.example/podinfo:6.7.0}]',
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: unnamed, namespace: sa-shop}',
      'spec:',
      '  containers: [{name: c, image: registry.example/podinfo:6.7.0}]',
      '',
    ].join('\n');
    const out = await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifest);
    expect(out).toContain('serviceaccount/podinfo created');
    expect(await k('get', 'sa', 'podinfo', '-n', 'sa-shop')).toMatch(/^NAME\s+SECRETS\s+AGE\npodinfo\s+0\s+/);
    expect(await k('get', 'pod', 'named', '-n', 'sa-shop', '-o', 'jsonpath={.spec.serviceAccountName}')).toBe('podinfo');
    expect(await k('get', 'pod', 'unnamed', '-n', 'sa-shop', '-o', 'jsonpath={.spec.serviceAccountName}/{.spec.serviceAccount}')).toBe('default/default');
  });
});
