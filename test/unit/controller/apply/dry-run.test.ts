import { ApiException, type KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { dryRunApply } from '../../../../controller/apply/dry-run.js';
import type { ClusterTarget } from '../../../../controller/clusters/cluster-target.js';

/** A target whose every patch answers as a real API server whose namespace `missing` does not exist would. */
function clusterWithout(missing: string, patches: unknown[][] = []): ClusterTarget {
  const objects = {
    async patch(...args: unknown[]) {
      patches.push(args);
      const object = args[0] as KubernetesObject;
      if (object.metadata?.namespace === missing) {
        const body = { kind: 'Status', status: 'Failure', reason: 'NotFound', message: `namespaces "${missing}" not found`, details: { name: missing, kind: 'namespaces' }, code: 404 };
        throw new ApiException(404, 'HTTP-Code: 404', JSON.stringify(body), {});
      }
      if (object.metadata?.name === 'invalid') {
        const body = { kind: 'Status', reason: 'Invalid', message: 'ConfigMap "invalid" is invalid: data[a b]: Invalid value', code: 422 };
        throw new ApiException(422, 'HTTP-Code: 422', JSON.stringify(body), {});
      }
      return object;
    },
  };
  return { name: 'real', objects } as unknown as ClusterTarget;
}

const configMap = (name: string, namespace: string): KubernetesObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });

describe('dryRunApply', () => {
  it('asks a server-side apply with dryRun=All as baton, forcing', async () => {
    const patches: unknown[][] = [];
    expect(await dryRunApply({ target: clusterWithout('x', patches) }, configMap('a', 'shop'), new Set())).toBeUndefined();
    expect(patches[0].slice(1, 5)).toEqual([undefined, 'All', 'baton', true]);
  });

  it('answers what the cluster said when it refuses the object', async () => {
    expect(await dryRunApply({ target: clusterWithout('x') }, configMap('invalid', 'shop'), new Set())).toBe('ConfigMap "invalid" is invalid: data[a b]: Invalid value');
  });

  it('a namespace the same sync creates is missing at dry-run time: not a refusal', async () => {
    expect(await dryRunApply({ target: clusterWithout('shop') }, configMap('a', 'shop'), new Set(['shop']))).toBeUndefined();
  });

  it('a namespace nothing creates is a refusal', async () => {
    expect(await dryRunApply({ target: clusterWithout('elsewhere') }, configMap('a', 'elsewhere'), new Set(['shop']))).toBe('namespaces "elsewhere" not found');
  });
});
