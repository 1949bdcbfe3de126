import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { VolumeRefresh } from '../../../../runtime/kubelet/volume-refresh.js';

const pod = (volumes: unknown[]): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [], volumes } });

afterEach(() => {
  vi.useRealTimers();
});

describe('VolumeRefresh', () => {
  it('wakes, every period, exactly the pods whose volumes show ConfigMaps or Secrets, until they change or go', () => {
    vi.useFakeTimers();
    const refresh = new VolumeRefresh();
    refresh.note('ns/config', pod([{ name: 'c', configMap: { name: 'settings' } }]));
    refresh.note('ns/secret', pod([{ name: 's', secret: { secretName: 'creds' } }]));
    refresh.note('ns/projected', pod([{ name: 'p', projected: { sources: [{ downwardAPI: { items: [] } }, { secret: { name: 'creds' } }] } }]));
    refresh.note('ns/plain', pod([{ name: 'e', emptyDir: {} }, { name: 'h', hostPath: { path: '/srv' } }, { name: 'd', downwardAPI: { items: [] } }]));
    refresh.note('ns/none', pod([]));
    refresh.note('ns/gone', pod([{ name: 'c', configMap: { name: 'settings' } }]));
    refresh.note('ns/changed', pod([{ name: 'c', configMap: { name: 'settings' } }]));
    refresh.forget('ns/gone');
    refresh.note('ns/changed', pod([]));
    const woken: string[] = [];
    refresh.start(10_000, (key) => woken.push(key));

    vi.advanceTimersByTime(9_999);
    expect(woken).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(woken.sort()).toEqual(['ns/config', 'ns/projected', 'ns/secret']);
    vi.advanceTimersByTime(10_000);
    expect(woken).toHaveLength(6);
    refresh.stop();
    vi.advanceTimersByTime(30_000);
    expect(woken).toHaveLength(6);
  });
});
