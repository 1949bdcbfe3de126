import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../../../../runtime/api/defaulting/apply-defaults.js';
import { validatePodSpec } from '../../../../../runtime/api/validation/validate-pod-spec.js';

function problems(spec: Record<string, unknown>, ports?: unknown[]): string[] {
  return validatePodSpec({ containers: [{ name: 'c', image: 'i', ports }], ...spec }, 'spec').map((c) => `${c.field}: ${c.message}`);
}

const sysctls = (...names: string[]) => ({ securityContext: { sysctls: names.map((name) => ({ name, value: '1' })) } });

describe('the apiserver on pod sysctls and host-network ports', () => {
  it.each([
    ['safe and unsafe names alike (the kubelet decides)', sysctls('net.ipv4.tcp_syncookies', 'kernel.msgmax', 'vm.swappiness')],
    ['a slashed name', sysctls('net/ipv4/conf/eth0.100/rp_filter')],
    ['an IPC sysctl on the host network', { hostNetwork: true, ...sysctls('kernel.shm_rmid_forced') }],
  ])('accepts %s', (_what, spec) => {
    expect(problems(spec)).toEqual([]);
  });

  it.each([
    ['a sysctl without a name', { securityContext: { sysctls: [{ value: '1' }] } }, 'spec.securityContext.sysctls[0].name: Required value'],
    ['a malformed name', sysctls('Net.IPv4'), 'spec.securityContext.sysctls[0].name: Invalid value: "Net.IPv4": must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$'],
    ['a name twice', sysctls('kernel.sem', 'kernel.sem'), 'spec.securityContext.sysctls[1].name: Duplicate value: "kernel.sem"'],
    ['a network sysctl on the host network', { hostNetwork: true, ...sysctls('net.ipv4.tcp_syncookies') }, 'spec.securityContext.sysctls[0].name: Invalid value: "net.ipv4.tcp_syncookies": may not be specified when \'hostNetwork\' is true'],
    ['an IPC sysctl on the host IPC', { hostIPC: true, ...sysctls('kernel/shm_rmid_forced') }, 'spec.securityContext.sysctls[0].name: Invalid value: "kernel/shm_rmid_forced": may not be specified when \'hostIPC\' is true'],
  ])('refuses %s', (_what, spec, expected) => {
    expect(problems(spec)).toEqual([expected]);
  });

  it('refuses a host-network port whose hostPort is not its containerPort', () => {
    expect(problems({ hostNetwork: true }, [{ containerPort: 80, hostPort: 8080 }])).toEqual(['spec.containers[0].ports[0].containerPort: Invalid value: 80: must match `hostPort` when `hostNetwork` is true']);
    expect(problems({ hostNetwork: true }, [{ containerPort: 80, hostPort: 80 }])).toEqual([]);
    expect(problems({}, [{ containerPort: 80, hostPort: 8080 }])).toEqual([]);
  });

  it('defaults a host-network port\'s hostPort to its containerPort, and no other pod\'s', () => {
    const pod = (hostNetwork: boolean) => applyDefaults({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { hostNetwork, containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] } });
    expect(pod(true).spec.containers[0].ports[0].hostPort).toBe(80);
    expect(pod(false).spec.containers[0].ports[0].hostPort).toBeUndefined();
  });
});
