export { startKubelet, type Kubelet, type KubeletOptions } from './kubelet.js';
export type { LogOptions } from './container-logs.js';
export { DriverError, type PodDriver, type ContainerLaunch, type ContainerHandle, type VolumeMount, type ExecResult } from './pod-driver.js';
export { createProcessDriver, mountNamespaceSupport } from './process-driver.js';
