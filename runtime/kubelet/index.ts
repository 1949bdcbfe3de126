/**
 * The node agent of the built-in runtime: registers Node `baton`, schedules
 * pending pods onto it, and runs each pod's containers through a PodDriver
 * (host processes by default), with probes, restarts, graceful termination,
 * logs and re-adoption of running pods after a restart of the runtime.
 */
export { startKubelet, type Kubelet, type KubeletOptions } from './kubelet.js';
export type { LogOptions } from './container-logs.js';
export { DriverError, type PodDriver, type ContainerLaunch, type ContainerHandle, type VolumeMount, type ExecResult } from './pod-driver.js';
export { createProcessDriver, mountNamespaceSupport } from './process-driver.js';
