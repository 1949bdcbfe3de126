import { describe, expect, it } from 'vitest';
import { forgetReplicaSetTemplateText, holdsReplicaSetTemplateText, replicaSetTemplateText } from '../../../../../runtime/controllers/deployment/pod-template-hash.js';

const rs = (uid: string, resourceVersion: string) => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: `web-${uid}`, uid, resourceVersion },
  spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
});

describe("the Deployment controller's cache of ReplicaSet template texts", () => {
  it('keeps a live ReplicaSet\'s text, and never again one seen deleted, though an older list still shows it', () => {
    const live = rs('uid-live', '5');
    expect(replicaSetTemplateText(live)).toContain('web:1');
    expect(holdsReplicaSetTemplateText('uid-live')).toBe(true);

    const gone = rs('uid-gone', '7');
    replicaSetTemplateText(gone);
    forgetReplicaSetTemplateText('uid-gone');
    expect(holdsReplicaSetTemplateText('uid-gone')).toBe(false);
    // A reconcile that listed before the delete still compares against it: the text is given, not kept.
    expect(replicaSetTemplateText(gone)).toContain('web:1');
    expect(holdsReplicaSetTemplateText('uid-gone')).toBe(false);
  });
});
