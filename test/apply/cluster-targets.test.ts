import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterConfigError } from '../../controller/clusters/cluster-config-error.js';
import { clusterTargets } from '../../controller/clusters/cluster-target.js';
import { kubeconfigYaml } from '../../runtime/runtime-server.js';

let dir: string;

function kubeconfig(contexts: Array<{ name: string; server: string }>, current: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: contexts.map((c) => ({ name: c.name, cluster: { server: c.server } })),
    users: contexts.map((c) => ({ name: c.name, user: { token: `token-${c.name}` } })),
    contexts: contexts.map((c) => ({ name: c.name, context: { cluster: c.name, user: c.name, namespace: 'apps' } })),
    'current-context': current,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-targets-'));
  await writeFile(join(dir, 'kubeconfig'), kubeconfigYaml('https://127.0.0.1:7071', 'local-token', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'));
  await writeFile(join(dir, 'a.yaml'), kubeconfig([{ name: 'staging', server: 'https://127.0.0.1:6443' }, { name: 'prod', server: 'https://127.0.0.1:6444' }], 'staging'));
  await writeFile(join(dir, 'b.yaml'), kubeconfig([{ name: 'prod', server: 'https://127.0.0.1:9999' }, { name: 'edge', server: 'https://127.0.0.1:6445' }], 'edge'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('clusterTargets', () => {
  it('resolves local to the runtime kubeconfig and other names to contexts, the first file winning as with kubectl', () => {
    const targets = clusterTargets({ stateDir: dir, kubeconfig: [join(dir, 'a.yaml'), join(dir, 'b.yaml')].join(delimiter) });
    expect(targets.get('local').kubeConfig.getCurrentCluster()?.server).toBe('https://127.0.0.1:7071');
    expect(targets.get('prod').kubeConfig.getCurrentCluster()?.server).toBe('https://127.0.0.1:6444');
    expect(targets.get('edge').kubeConfig.getCurrentCluster()?.server).toBe('https://127.0.0.1:6445');
    expect(targets.get('staging').name).toBe('staging');
  });

  it('an unknown cluster name is an error naming it and the contexts there are', () => {
    const targets = clusterTargets({ stateDir: dir, kubeconfig: join(dir, 'a.yaml') });
    expect(() => targets.get('qa')).toThrow(ClusterConfigError);
    expect(() => targets.get('qa')).toThrow(expect.objectContaining({ code: 'UNKNOWN_CLUSTER' }));
    expect(() => targets.get('qa')).toThrow(`cluster "qa" is not a context in ${join(dir, 'a.yaml')}; known contexts: staging, prod`);
  });

  it('local without a runtime says the kubeconfig is missing', () => {
    const targets = clusterTargets({ stateDir: join(dir, 'nowhere'), kubeconfig: join(dir, 'a.yaml') });
    expect(() => targets.get('local')).toThrow(/cluster "local": the built-in runtime's kubeconfig .*nowhere\/kubeconfig does not exist/);
    expect(() => targets.get('local')).toThrow(expect.objectContaining({ code: 'LOCAL_RUNTIME_NOT_READY' }));
  });

  it('re-reads the runtime kubeconfig when a restarted runtime rewrites it', async () => {
    const targets = clusterTargets({ stateDir: dir });
    expect(targets.get('local').kubeConfig.getCurrentCluster()?.server).toBe('https://127.0.0.1:7071');
    await writeFile(join(dir, 'kubeconfig'), kubeconfigYaml('https://127.0.0.1:17071', 'local-token', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'));
    expect(targets.get('local').kubeConfig.getCurrentCluster()?.server).toBe('https://127.0.0.1:17071');
  });
});
