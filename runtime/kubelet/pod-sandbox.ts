import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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
 * Whether a pod gets a sandbox on the bridge: image pods, and host-program
 * pods when the node puts them there, except with `hostNetwork: true`, which
 * keeps a pod on the host's network with a loopback address of its own, the
 * nearest this node has to Kubernetes' host network (the node's address is
 * 127.0.0.1; its own one lets probes and Services tell such pods apart).
 */
export function joinsPodNetwork(ctx: KubeletContext, pod: KubeObject, runtimeClass: string): boolean {
  if (pod.spec?.hostNetwork === true) return false;
  return ctx.imageClasses.has(runtimeClass) || ctx.hostProgramsOnPodNetwork === true;
}

/**
 * The files an image pod on the host's network mounts at /etc: the host's
 * hosts file (with the pod's hostAliases), the machine's name (the pod has the
 * host's uts namespace), and resolv.conf per dnsPolicy, as the kubelet gives a
 * host-network pod. Rewritten at each start, as the kubelet does.
 */
export function hostNetworkFiles(ctx: KubeletContext, pod: KubeObject, record: PodRecord): Omit<PodSandboxFiles, 'netnsPath'> {
  const dir = join(ctx.store.podDir(record.uid), 'etc');
  mkdirSync(dir, { recursive: true });
  const etcFiles = { hosts: join(dir, 'hosts'), hostname: join(dir, 'hostname'), resolvConf: join(dir, 'resolv.conf') };
  const hostname = os.hostname();
  let hostHosts = '';
  try {
    hostHosts = readFileSync('/etc/hosts', 'utf8');
  } catch {
    // A host without one: the pod has none either, but its hostAliases.
  }
  writeFileSync(etcFiles.hosts, podHostsFile(pod, record.podIP, { hostHostsFile: hostHosts }), { mode: 0o644 });
  writeFileSync(etcFiles.hostname, `${hostname}\n`, { mode: 0o644 });
  writeFileSync(etcFiles.resolvConf, podResolvConf(pod, { nameserver: ctx.clusterDns ?? '', hostResolvConf: readHostResolvConf() }), { mode: 0o644 });
  return { hostname, etcFiles };
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
