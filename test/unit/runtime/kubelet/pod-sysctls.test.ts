import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { normalizeSysctlName } from '../../../../runtime/kube/sysctl-names.js';
import { forbiddenSysctl, podSysctls } from '../../../../runtime/kubelet/pod-sysctls.js';

const pod = (sysctls: Array<{ name: string; value: string }>, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns' },
  spec: { ...spec, securityContext: { sysctls }, containers: [{ name: 'c', image: 'i' }] },
});

describe('the kubelet sysctl admission', () => {
  it.each([
    // [name, pod fields, allowUnsafe, expected message or undefined]
    ['kernel.shm_rmid_forced', {}, false, undefined],
    ['net.ipv4.ip_local_port_range', {}, false, undefined],
    ['net.ipv4.tcp_keepalive_probes', {}, false, undefined],
    ['net/ipv4/tcp_fin_timeout', {}, false, undefined],
    ['net.core.somaxconn', {}, false, 'forbidden sysctl: "net.core.somaxconn" not allowlisted'],
    ['kernel.msgmax', {}, false, 'forbidden sysctl: "kernel.msgmax" not allowlisted'],
    ['net.core.somaxconn', {}, true, undefined],
    ['kernel.msgmax', {}, true, undefined],
    ['fs.mqueue.msg_max', {}, true, undefined],
    // Not namespaced: the node's own, whatever the runtime allows.
    ['vm.swappiness', {}, true, 'forbidden sysctl: "vm.swappiness" not allowlisted'],
    ['kernel.pid_max', {}, true, 'forbidden sysctl: "kernel.pid_max" not allowlisted'],
    ['net.ipv4.tcp_syncookies', { hostNetwork: true }, true, 'forbidden sysctl: "net.ipv4.tcp_syncookies" not allowed with host Net enabled'],
    ['kernel.shm_rmid_forced', { hostIPC: true }, false, 'forbidden sysctl: "kernel.shm_rmid_forced" not allowed with host IPC enabled'],
    ['kernel.shm_rmid_forced', { hostNetwork: true }, false, undefined],
  ] as const)('%s (%j, unsafe allowed: %s)', (name, spec, allowUnsafe, expected) => {
    expect(forbiddenSysctl(pod([{ name, value: '1' }], spec), allowUnsafe)).toBe(expected);
  });

  it('names the first sysctl refused, and admits a pod without any', () => {
    expect(forbiddenSysctl(pod([{ name: 'kernel.shm_rmid_forced', value: '1' }, { name: 'kernel.sem', value: '1 2 3 4' }]), false)).toBe('forbidden sysctl: "kernel.sem" not allowlisted');
    expect(forbiddenSysctl({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } }, false)).toBeUndefined();
  });

  it('reads slashed names as the kubelet does: dots and slashes swapped', () => {
    expect(normalizeSysctlName('net/ipv4/conf/eno2.100/rp_filter')).toBe('net.ipv4.conf.eno2/100.rp_filter');
    expect(normalizeSysctlName('net.ipv4.conf.eno2/100.rp_filter')).toBe('net.ipv4.conf.eno2/100.rp_filter');
    expect(podSysctls(pod([{ name: 'net/ipv4/tcp_keepalive_time', value: '60' }]))).toEqual({ 'net.ipv4.tcp_keepalive_time': '60' });
  });
});
