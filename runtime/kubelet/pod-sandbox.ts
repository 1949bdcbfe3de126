import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../objects/types.js';
import type { KubeletContext } from './kubelet-context.js';
import type { PodRecord, PodSandboxFiles } from './pod-record.js';

/** The hosts file the kubelet writes for a pod (its own name and address, then hostAliases). */
export function hostsFile(pod: KubeObject, podIP: string, hostname: string): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const subdomain: string | undefined = pod.spec?.subdomain;
  const fqdn = subdomain ? `${hostname}.${subdomain}.${pod.metadata.namespace}.svc.cluster.local\t` : '';
  lines.push(`${podIP}\t${fqdn}${hostname}`);
  const aliases = (pod.spec?.hostAliases ?? []) as Array<{ ip?: string; hostnames?: string[] }>;
  if (aliases.length) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) if (a.ip && a.hostnames?.length) lines.push(`${a.ip}\t${a.hostnames.join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * resolv.conf per `dnsPolicy`: `None` takes only `dnsConfig`; the others start
 * from the host's file (no cluster DNS yet) with `dnsConfig` merged in.
 */
export function resolvConf(pod: KubeObject, hostResolvConf: string): string {
  const config = (pod.spec?.dnsConfig ?? {}) as { nameservers?: string[]; searches?: string[]; options?: Array<{ name: string; value?: string }> };
  const nameservers: string[] = [];
  const searches: string[] = [];
  const options: string[] = [];
  if (pod.spec?.dnsPolicy !== 'None') {
    for (const line of hostResolvConf.split('\n')) {
      const [key, ...rest] = line.trim().split(/\s+/);
      if (key === 'nameserver' && rest[0]) nameservers.push(rest[0]);
      else if (key === 'search' || key === 'domain') searches.push(...rest);
      else if (key === 'options') options.push(...rest);
    }
  }
  nameservers.push(...(config.nameservers ?? []));
  searches.push(...(config.searches ?? []));
  for (const o of config.options ?? []) options.push(o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  const out: string[] = [];
  if (searches.length) out.push(`search ${[...new Set(searches)].join(' ')}`);
  for (const n of [...new Set(nameservers)].slice(0, 3)) out.push(`nameserver ${n}`);
  if (options.length) out.push(`options ${[...new Set(options)].join(' ')}`);
  return `${out.join('\n')}\n`;
}

function readHostResolvConf(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}

/**
 * The pod's network namespace and address on baton's bridge, and the files
 * all its containers share. Idempotent: a restarted runtime calls it again.
 */
export async function ensureSandbox(ctx: KubeletContext, pod: KubeObject, record: PodRecord): Promise<PodSandboxFiles> {
  if (!ctx.network) throw new Error('the pod network is not running (image-based pods need it)');
  const net = await ctx.network.setup(record.uid);
  const hostname = String(pod.spec?.hostname ?? pod.metadata.name).slice(0, 63);
  const dir = join(ctx.store.podDir(record.uid), 'etc');
  mkdirSync(dir, { recursive: true });
  const etcFiles = { hosts: join(dir, 'hosts'), hostname: join(dir, 'hostname'), resolvConf: join(dir, 'resolv.conf') };
  writeFileSync(etcFiles.hosts, hostsFile(pod, net.ip, hostname), { mode: 0o644 });
  writeFileSync(etcFiles.hostname, `${hostname}\n`, { mode: 0o644 });
  writeFileSync(etcFiles.resolvConf, resolvConf(pod, readHostResolvConf()), { mode: 0o644 });
  record.podIP = net.ip;
  return { netnsPath: net.netnsPath, hostname, etcFiles };
}
