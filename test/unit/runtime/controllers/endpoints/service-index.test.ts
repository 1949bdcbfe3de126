import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { ServiceIndex } from '../../../../../runtime/controllers/endpoints/service-index.js';

const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels: { app: 'web' } } });

describe('ServiceIndex', () => {
  it('wakes the Services a pod was listed in after its labels stop matching', () => {
    const index = new ServiceIndex();
    index.setSelector('shop/web', { app: 'web' });
    index.setMembers('shop/web', new Set(['shop/web-1']));
    expect(index.servicesFor({ ...pod('web-1'), metadata: { name: 'web-1', namespace: 'shop', labels: {} } })).toEqual(['shop/web']);
  });

  // Every rollout brings pods with new names; a long-running runtime must not keep one entry per pod ever served.
  it('forgets pods no Endpoints lists any more', () => {
    const index = new ServiceIndex();
    index.setSelector('shop/web', { app: 'web' });
    for (let rollout = 0; rollout < 50; rollout++) {
      index.setMembers('shop/web', new Set([`shop/web-${rollout}-a`, `shop/web-${rollout}-b`]));
    }
    expect(index.podsTracked).toBe(2);
    index.setMembers('shop/web', new Set());
    expect(index.podsTracked).toBe(0);
  });
});
