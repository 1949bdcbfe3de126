export { startPodNetwork } from './pod-network.js';
export { DEFAULT_POD_CIDR, parsePodCidr } from './pod-cidr.js';
export { NetworkError, type NetworkErrorCode, type NetworkErrorData } from './network-error.js';
export { CommandError, type CommandErrorData } from './command-error.js';
export type { HostPort, PodNetwork, PodNetworkOptions, PodSandbox } from './network-types.js';
export { chooseServiceCidr, clusterDnsAddress, DEFAULT_SERVICE_CIDR, parseServiceCidr } from './service-cidr.js';
export type { ChainGroup } from './nft-chains.js';
export type { ChainOwner } from './table-groups.js';
export { checkHostSupport } from './host-support.js';
