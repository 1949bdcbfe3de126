import type { KubeObject } from '../kube/object.js';

const HOSTNAME_MAX = 63;

export interface PodHostsOptions {
  /** @defaultValue 'cluster.local' */
  clusterDomain?: string;
  /** The node's /etc/hosts: a host-network pod gets it (plus its hostAliases) instead of a managed file, as with the kubelet. */
  hostHostsFile?: string;
}

/**
 * The pod's hostname as the kubelet sets it: `spec.hostname`, else the pod's
 * name, cut to 63 characters without a trailing `-` or `.`.
 */
export function podHostname(pod: KubeObject): string {
  const name = String(pod.spec?.hostname || pod.metadata.name);
  return name.length <= HOSTNAME_MAX ? name : name.slice(0, HOSTNAME_MAX).replace(/[-.]+$/, '');
}

/**
 * The pod's /etc/hosts as the kubelet writes it (managedHostsFileContent):
 * localhost lines, the pod's address with its FQDN when it has a subdomain
 * (`<hostname>.<subdomain>.<ns>.svc.<domain>`) and its hostname, then the
 * `hostAliases`, one line per address.
 */
export function podHostsFile(pod: KubeObject, podIp: string, options: PodHostsOptions = {}): string {
  if (pod.spec?.hostNetwork === true && options.hostHostsFile !== undefined) {
    return `# Kubernetes-managed hosts file (host network).\n${options.hostHostsFile}${hostAliasLines(pod)}`;
  }
  const hostname = podHostname(pod);
  const subdomain: string | undefined = pod.spec?.subdomain || undefined;
  const names = subdomain ? `${hostname}.${subdomain}.${pod.metadata.namespace}.svc.${options.clusterDomain ?? 'cluster.local'}\t${hostname}` : hostname;
  return [
    '# Kubernetes-managed hosts file.\n',
    '127.0.0.1\tlocalhost\n',
    '::1\tlocalhost ip6-localhost ip6-loopback\n',
    'fe00::0\tip6-localnet\n',
    'fe00::0\tip6-mcastprefix\n',
    'fe00::1\tip6-allnodes\n',
    'fe00::2\tip6-allrouters\n',
    `${podIp}\t${names}\n`,
    hostAliasLines(pod),
  ].join('');
}

function hostAliasLines(pod: KubeObject): string {
  const aliases = (pod.spec?.hostAliases ?? []) as Array<{ ip: string; hostnames?: string[] }>;
  if (aliases.length === 0) return '';
  return `\n# Entries added by HostAliases.\n${aliases.map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`).join('')}`;
}
