export { startClusterDns, type ClusterDnsOptions, type RunningClusterDns } from './start-cluster-dns.js';
export { podResolvConf, podDnsConfig, type PodDnsOptions, type PodDnsConfig } from './pod-resolv-conf.js';
export { podHostsFile, podHostname, type PodHostsOptions } from './pod-hosts-file.js';
export { DnsConfigError, type DnsConfigErrorCode, type DnsConfigErrorData } from './dns-config-error.js';
export { CLUSTER_TTL } from './answer-query.js';
export { ensureKubeDnsService } from './kube-dns-service.js';
