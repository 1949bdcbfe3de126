import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

// A pod's spec is fixed once it exists, as kube-apiserver's ValidatePodUpdate has it: the kubelet
// admitted it as it was made (sysctls, host namespaces, volumes). Images, tolerations added and a
// lower activeDeadlineSeconds may still change; labels and annotations always.

let rt: RuntimeProcess;
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, args);
const NS = 'pod-update';
const FORBIDDEN = 'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`';

beforeAll(async () => {
  rt = await startRuntimeProcess();
  await k('create', 'namespace', NS);
  await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: ${NS}}
spec:
  activeDeadlineSeconds: 3600
  containers:
  - {name: web, image: busybox, command: [sleep, '3600']}
`);
}, 90_000);

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

describe('updating a pod', () => {
  it('refuses a change to any other field of its spec with the apiserver\'s 422', async () => {
    for (const patch of ['{"spec":{"hostPID":true}}', '{"spec":{"securityContext":{"sysctls":[{"name":"net.core.somaxconn","value":"7"}]}}}', '{"spec":{"activeDeadlineSeconds":7200}}']) {
      const refused = await kubectl(rt.kubeconfig, ['patch', 'pod', 'web', '-n', NS, '--type=merge', '-p', patch]);
      expect(refused.code, patch).not.toBe(0);
      expect(refused.stderr, patch).toContain(`The Pod "web" is invalid: ${FORBIDDEN}`);
    }
    const spec = JSON.parse(await k('get', 'pod', 'web', '-n', NS, '-o', 'json')).spec;
    expect(spec.hostPID).toBeUndefined();
    expect(spec.securityContext?.sysctls).toBeUndefined();
  });

  it('takes a new image, an added toleration, a lower deadline, labels and annotations', async () => {
    await k('set', 'image', 'pod/web', '-n', NS, 'web=busybox:1.36');
    await k('patch', 'pod', 'web', '-n', NS, '--type=merge', '-p', '{"spec":{"activeDeadlineSeconds":1800}}');
    const tolerations = JSON.parse(await k('get', 'pod', 'web', '-n', NS, '-o', 'json')).spec.tolerations ?? [];
    await k('patch', 'pod', 'web', '-n', NS, '--type=merge', '-p', JSON.stringify({ spec: { tolerations: [...tolerations, { key: 'k', operator: 'Exists', effect: 'NoSchedule' }] } }));
    await k('label', 'pod', 'web', '-n', NS, 'tier=front');
    await k('annotate', 'pod', 'web', '-n', NS, 'note=kept');
    const pod = JSON.parse(await k('get', 'pod', 'web', '-n', NS, '-o', 'json'));
    expect(pod.spec.containers[0].image).toBe('busybox:1.36');
    expect(pod.spec.activeDeadlineSeconds).toBe(1800);
    expect(pod.spec.tolerations).toContainEqual({ key: 'k', operator: 'Exists', effect: 'NoSchedule' });
    expect(pod.metadata.labels.tier).toBe('front');
  });
});
