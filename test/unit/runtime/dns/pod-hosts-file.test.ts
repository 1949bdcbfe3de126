import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { podHostname, podHostsFile } from '../../../../runtime/dns/pod-hosts-file.js';

const LOCALHOST = [
  '# Kubernetes-managed hosts file.',
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'fe00::0\tip6-mcastprefix',
  'fe00::1\tip6-allnodes',
  'fe00::2\tip6-allrouters',
].join('\n');

function pod(spec: Record<string, unknown> = {}, name = 'web-1'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop' }, spec: { containers: [], ...spec } };
}

describe('podHostsFile', () => {
  it('names the pod’s address after the pod', () => {
    expect(podHostsFile(pod(), '10.0.0.5')).toBe(`${LOCALHOST}\n10.0.0.5\tweb-1\n`);
  });

  it('gives a pod with hostname and subdomain its FQDN first', () => {
    expect(podHostsFile(pod({ hostname: 'db-0', subdomain: 'db' }), '10.0.0.5', { clusterDomain: 'corp.internal' })).toBe(
      `${LOCALHOST}\n10.0.0.5\tdb-0.db.shop.svc.corp.internal\tdb-0\n`,
    );
  });

  it('appends hostAliases, one line per address', () => {
    const spec = { hostAliases: [{ ip: '192.0.2.7', hostnames: ['foo.local', 'bar.local'] }, { ip: '192.0.2.8', hostnames: ['baz'] }] };
    expect(podHostsFile(pod(spec), '10.0.0.5')).toBe(
      `${LOCALHOST}\n10.0.0.5\tweb-1\n\n# Entries added by HostAliases.\n192.0.2.7\tfoo.local\tbar.local\n192.0.2.8\tbaz\n`,
    );
  });

  it('gives a host-network pod the node’s file with its aliases', () => {
    const spec = { hostNetwork: true, hostAliases: [{ ip: '192.0.2.7', hostnames: ['foo.local'] }] };
    expect(podHostsFile(pod(spec), '192.0.2.1', { hostHostsFile: '127.0.0.1\tlocalhost\n' })).toBe(
      '# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\n\n# Entries added by HostAliases.\n192.0.2.7\tfoo.local\n',
    );
  });
});

describe('podHostname', () => {
  it('cuts a long pod name to 63 characters without a trailing dash or dot', () => {
    const name = `${'a'.repeat(61)}-.bbbb`;
    expect(podHostname(pod({}, name))).toBe('a'.repeat(61));
  });

  it('prefers spec.hostname', () => {
    expect(podHostname(pod({ hostname: 'db-0' }))).toBe('db-0');
  });
});
