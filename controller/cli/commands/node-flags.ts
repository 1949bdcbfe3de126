import type { Command } from 'commander';
import type { NodeOptions } from '../../../runtime/kubelet/start-node.js';
import { CliError } from '../cli-error.js';

export interface NodeFlags {
  defaultRuntimeClass: string;
  podCidr?: string;
  registries?: string;
  disableDefaultRegistryEndpoint?: boolean;
  allowPrivileged?: boolean;
}

/** The flags of the built-in runtime's node, shared by `baton runtime` and `baton up` (k3s's names where k3s has one). */
export function addNodeFlags(command: Command): Command {
  return command
    .option('--default-runtime-class <name>', 'how pods without runtimeClassName run: oci (their image, with runc) or process (a host program)', 'oci')
    .option('--pod-cidr <cidr>', 'pod addresses, routed only to baton\'s bridge (default: 10.244.0.0/16)')
    .option('--registries <file>', 'registry mirrors, credentials and TLS in k3s\'s registries.yaml format (default: <state-dir>/registries.yaml)')
    .option('--disable-default-registry-endpoint', 'never fall back to a registry\'s own endpoint when its mirrors fail (k3s\'s flag)')
    .option('--allow-privileged', 'run containers whose securityContext asks for privileged');
}

export function nodeOptions(command: string, flags: NodeFlags): Omit<NodeOptions, 'cluster' | 'stateDir'> {
  if (flags.defaultRuntimeClass !== 'oci' && flags.defaultRuntimeClass !== 'process') {
    throw new CliError(`baton ${command}: --default-runtime-class must be oci or process, got "${flags.defaultRuntimeClass}"`);
  }
  return {
    defaultRuntimeClass: flags.defaultRuntimeClass,
    podCidr: flags.podCidr,
    registriesFile: flags.registries,
    disableDefaultRegistryEndpoint: !!flags.disableDefaultRegistryEndpoint,
    allowPrivileged: !!flags.allowPrivileged,
  };
}
