import type { Command } from 'commander';
import type { NodeOptions } from '../../../../runtime/index.js';
import { CliError } from '../cli-error.js';

export interface NodeFlags {
  defaultRuntimeClass: string;
  podCidr?: string;
  registries?: string;
  disableDefaultRegistryEndpoint?: boolean;
  allowPrivileged?: boolean;
  serviceProxy: string;
  serviceCidr?: string;
  nodePortHost?: string;
}

/** The flags of the built-in runtime's node, shared by `baton runtime` and `baton up` (k3s's names where k3s has one). */
export function addNodeFlags(command: Command): Command {
  return command
    .option('--default-runtime-class <name>', 'how pods without runtimeClassName run: oci (their image, with runc) or process (a host program)', 'oci')
    .option('--pod-cidr <cidr>', 'pod addresses, routed only to baton\'s bridge (default: 10.244.0.0/16)')
    .option('--registries <file>', 'registry mirrors, credentials and TLS in k3s\'s registries.yaml format (default: <state-dir>/registries.yaml)')
    .option('--disable-default-registry-endpoint', 'never fall back to a registry\'s own endpoint when its mirrors fail (k3s\'s flag)')
    .option('--allow-privileged', 'run pods that reach the host: privileged containers, added capabilities, hostNetwork/hostPID/hostIPC, unsafe namespaced sysctls')
    .option('--service-proxy <mode>', 'who carries Services: kernel (nftables on the pod network, with cluster DNS), userspace, or auto (kernel when the pod network starts with the runtime and the machine allows it)', 'auto')
    .option('--service-cidr <cidr>', 'ClusterIP range when the kernel carries Services, routed only to baton\'s bridge (default: 10.96.0.0/16, or the next /16 no route overlaps)')
    .option('--node-port-host <address>', 'address NodePort Services answer on; 0.0.0.0 for every address of the machine', '127.0.0.1');
}

export function nodeOptions(command: string, flags: NodeFlags): Omit<NodeOptions, 'cluster' | 'stateDir'> {
  if (flags.defaultRuntimeClass !== 'oci' && flags.defaultRuntimeClass !== 'process') {
    throw new CliError(`baton ${command}: --default-runtime-class must be oci or process, got "${flags.defaultRuntimeClass}"`);
  }
  if (!['auto', 'kernel', 'userspace'].includes(flags.serviceProxy)) {
    throw new CliError(`baton ${command}: --service-proxy must be auto, kernel or userspace, got "${flags.serviceProxy}"`);
  }
  if (flags.nodePortHost !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(flags.nodePortHost)) {
    throw new CliError(`baton ${command}: --node-port-host must be an IPv4 address such as 127.0.0.1 or 0.0.0.0, got "${flags.nodePortHost}"`);
  }
  return {
    defaultRuntimeClass: flags.defaultRuntimeClass,
    serviceProxy: flags.serviceProxy as 'auto' | 'kernel' | 'userspace',
    serviceCidr: flags.serviceCidr,
    nodePortAddress: flags.nodePortHost,
    podCidr: flags.podCidr,
    registriesFile: flags.registries,
    disableDefaultRegistryEndpoint: !!flags.disableDefaultRegistryEndpoint,
    allowPrivileged: !!flags.allowPrivileged,
  };
}
