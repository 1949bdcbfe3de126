import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { podHostname, podHostsFile, podResolvConf } from '../dns/index.js';
import type { KubeObject } from '../kube/object.js';
import type { KubeletContext } from './kubelet-context.js';
import type { PodRecord, PodSandboxFiles } from './pod-record.js';

/** The host's resolvers as a pod can reach them: systemd-resolved's upstream list, not its 127.0.0.53 stub (the kubelet's --resolv-conf practice). */
function readHostResolvConf(): string {
  for (const file of ['/run/systemd/resolve/resolv.conf', '/etc/resolv.conf']) {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      // Next candidate.
    }
  }
  return '';
}

/**
 * Whether a pod gets a sandbox on the bridge: image pods always, host-program
 * pods when the node puts them there, except with `hostNetwork: true`, which
 * keeps a host program on the host's network (a loopback address), the
 * nearest this node has to Kubernetes' host network.
 */
export function joinsPodNetwork(ctx: KubeletContext, pod: KubeObject, runtimeClass: string): boolean {
  if (ctx.imageClasses.has(runtimeClass)) return true;
  return ctx.hostProgramsOnPodNetwork === true && pod.spec?.hostNetwork !== true;
}

/**
 * The pod's network namespace and address on baton's bridge, and the files
 * all its containers share. Idempotent: a restarted runtime calls it again.
 */
export async function ensureSandbox(ctx: KubeletContext, pod: KubeObject, record: PodRecord): Promise<PodSandboxFiles> {
  if (!ctx.network) throw new Error('the pod network is not running (image-based pods need it)');
  const net = await ctx.network.setup(record.uid);
  const hostname = podHostname(pod);
  const dir = join(ctx.store.podDir(record.uid), 'etc');
  mkdirSync(dir, { recursive: true });
  const etcFiles = { hosts: join(dir, 'hosts'), hostname: join(dir, 'hostname'), resolvConf: join(dir, 'resolv.conf') };
  writeFileSync(etcFiles.hosts, podHostsFile(pod, net.ip), { mode: 0o644 });
  writeFileSync(etcFiles.hostname, `${hostname}\n`, { mode: 0o644 });
  // With cluster DNS (Services in the kernel) pods get Kubernetes' resolv.conf; without, the host's per dnsPolicy.
  writeFileSync(etcFiles.resolvConf, podResolvConf(pod, { nameserver: ctx.clusterDns ?? '', hostResolvConf: readHostResolvConf() }), { mode: 0o644 });
  record.podIP = net.ip;
  return { netnsPath: net.netnsPath, hostname, etcFiles };
}
