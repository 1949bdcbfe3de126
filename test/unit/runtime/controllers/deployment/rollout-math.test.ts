import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { maxUnavailable, resolveFenceposts } from '../../../../../runtime/controllers/deployment/deployment-spec.js';
import { computePodTemplateHash, equalIgnoreHash, replicaSetTemplateText, templateText } from '../../../../../runtime/controllers/deployment/pod-template-hash.js';
import { findActiveOrLatest, newRSNewReplicas, planOldScaleDown, planScale } from '../../../../../runtime/controllers/deployment/rollout-math.js';

function deployment(replicas: number, maxSurge?: number | string, maxUnavailable?: number | string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'ns', generation: 1 },
    spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } },
  };
}

let t = 0;
function rs(name: string, replicas: number, available = replicas, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'ns', creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, t++)).toISOString(), annotations },
    spec: { replicas },
    status: { replicas, availableReplicas: available },
  };
}

describe('resolveFenceposts (surge rounds up, unavailable down, both 0 → unavailable 1)', () => {
  it.each([
    [undefined, undefined, 10, 3, 2],
    ['25%', '25%', 1, 1, 0],
    [0, 0, 5, 0, 1],
    ['0%', '0%', 3, 0, 1],
    [1, 0, 3, 1, 0],
    ['50%', '50%', 3, 2, 1],
    [2, '10%', 10, 2, 1],
    ['30%', '30%', 0, 0, 1],
    ['100%', 0, 4, 4, 0],
  ])('maxSurge %s, maxUnavailable %s of %i → %i / %i', (surge, unavailable, desired, wantSurge, wantUnavailable) => {
    expect(resolveFenceposts(surge, unavailable, desired)).toEqual({ surge: wantSurge, unavailable: wantUnavailable });
  });

  it('never allows more unavailable than replicas, and none for no replicas', () => {
    expect(maxUnavailable(deployment(0, '30%', '30%'))).toBe(0);
    expect(maxUnavailable(deployment(2, 0, 5))).toBe(2);
  });

  it('rejects a non-percentage string', () => {
    expect(() => resolveFenceposts('abc', 1, 3)).toThrow(/maxSurge: invalid value "abc"/);
  });
});

describe('newRSNewReplicas fills the surge room up to spec.replicas', () => {
  it.each([
    ['fresh rollout', 10, 3, [10], 0, 3],
    ['no room left', 10, 3, [10], 3, 3],
    ['room after old shrank', 10, 3, [8], 3, 5],
    ['capped at spec.replicas', 10, 3, [0], 9, 10],
    ['surge 0 waits for scale-down', 3, 0, [3], 0, 0],
  ])('%s', (_name, desired, surge, olds, newSize, want) => {
    const d = deployment(desired, surge, 1);
    const newRS = rs('new', newSize, 0);
    const all = [...olds.map((n, i) => rs(`old${i}`, n)), newRS];
    expect(newRSNewReplicas(d, all, newRS)).toBe(want);
  });
});

describe('planOldScaleDown keeps spec.replicas - maxUnavailable available', () => {
  it.each([
    ['available old pods down to the floor', deployment(10), [rs('old', 10, 10)], rs('new', 3, 0), { old: 8 }],
    ['unhealthy old pods first, then no further', deployment(10), [rs('old', 10, 7)], rs('new', 3, 0), { old: 8 }],
    ['maxUnavailable 0: nothing until a new pod is available', deployment(3, 1, 0), [rs('old', 3, 3)], rs('new', 1, 0), {}],
    ['maxUnavailable 0: one down per new available pod', deployment(3, 1, 0), [rs('old', 3, 3)], rs('new', 1, 1), { old: 2 }],
    ['oldest RS first', deployment(4, 0, 2), [rs('a', 2, 2), rs('b', 2, 2)], rs('new', 0, 0), { a: 0 }],
    ['all new available: old RSs go to 0', deployment(3, 1, 1), [rs('old', 1, 1)], rs('new', 3, 3), { old: 0 }],
  ])('%s', (_name, d, olds, newRS, want) => {
    expect(Object.fromEntries(planOldScaleDown(d, olds, newRS))).toEqual(want);
  });
});

describe('planScale spreads a scaling event over active ReplicaSets', () => {
  it('adds replicas in proportion to size (the Kubernetes docs example: 10 → 15 mid-rollout)', () => {
    const d = deployment(15, 3, 2);
    const old = rs('old', 8, 8, { 'deployment.kubernetes.io/max-replicas': '13' });
    const neu = rs('new', 5, 0, { 'deployment.kubernetes.io/max-replicas': '13' });
    expect(Object.fromEntries(planScale(d, neu, [old]))).toEqual({ old: 11, new: 7 });
  });

  it('removes replicas in proportion, leftovers from the largest', () => {
    const d = deployment(5, 0, 1);
    const old = rs('old', 6, 6, { 'deployment.kubernetes.io/max-replicas': '10' });
    const neu = rs('new', 4, 0, { 'deployment.kubernetes.io/max-replicas': '10' });
    const plan = Object.fromEntries(planScale(d, neu, [old]));
    expect(plan.old + plan.new).toBe(5);
    expect(plan).toEqual({ old: 3, new: 2 });
  });

  it('resizes the single active RS directly', () => {
    const only = rs('only', 3, 3);
    expect(Object.fromEntries(planScale(deployment(7), only, [rs('gone', 0)]))).toEqual({ only: 7 });
    expect(findActiveOrLatest(undefined, [rs('x', 0), rs('y', 0)])?.metadata.name).toBe('y');
  });
});

describe('pod-template-hash', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1' }] } };

  it('is stable, safe-encoded and changes with the template and the collision count', () => {
    const h = computePodTemplateHash(template);
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(computePodTemplateHash(structuredClone(template))).toBe(h);
    expect(computePodTemplateHash({ ...template, spec: { containers: [{ name: 'app', image: 'nginx:2' }] } })).not.toBe(h);
    expect(computePodTemplateHash(template, 1)).not.toBe(h);
  });

  it('ignores the hash label and what a kubectl round trip adds (creationTimestamp: null, resources: {})', () => {
    const fromRS = structuredClone(template) as any;
    fromRS.metadata.labels['pod-template-hash'] = 'abc';
    const roundTripped = structuredClone(template) as any;
    roundTripped.metadata.creationTimestamp = null;
    roundTripped.spec.containers[0].resources = {};
    expect(equalIgnoreHash(fromRS, roundTripped)).toBe(true);
    expect(computePodTemplateHash(roundTripped)).toBe(computePodTemplateHash(fromRS));
  });

  it('keeps the hashes existing ReplicaSets were named by', () => {
    const named = { metadata: { labels: { app: 'web', 'pod-template-hash': 'zzz' }, creationTimestamp: null }, spec: { containers: [{ name: 'app', image: 'nginx:1', resources: {}, ports: [{ containerPort: 80 }] }] } };
    expect(computePodTemplateHash(named)).toBe('58689fcc6c');
    expect(computePodTemplateHash(named, 3)).toBe('7cb8f4f656');
    // Only the hash label: nothing is left, as with no template at all.
    expect(computePodTemplateHash({ metadata: { labels: { 'pod-template-hash': 'x' } } })).toBe(computePodTemplateHash(undefined));
    expect(named.metadata.labels['pod-template-hash']).toBe('zzz');
  });

  it("reads a ReplicaSet's template anew once the ReplicaSet was written", () => {
    const replicaSet = (resourceVersion: string, image: string) => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-1', namespace: 'default', uid: 'rs-uid-1', resourceVersion },
      spec: { template: { metadata: { labels: { app: 'web', 'pod-template-hash': '1' } }, spec: { containers: [{ name: 'app', image }] } } },
    });
    const v1 = replicaSetTemplateText(replicaSet('10', 'nginx:1'));
    expect(v1).toBe(templateText(template));
    // Same resourceVersion, same text; a write (new resourceVersion) with another image is seen.
    expect(replicaSetTemplateText(replicaSet('10', 'nginx:1'))).toBe(v1);
    expect(replicaSetTemplateText(replicaSet('11', 'nginx:2'))).not.toBe(v1);
    expect(replicaSetTemplateText(replicaSet('11', 'nginx:2'))).toContain('nginx:2');
  });
});
