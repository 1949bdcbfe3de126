/**
 * The built-in runtime as the controller sees it: the one file outside
 * runtime/kube/ that controller/ may import. Cheap to import: the API
 * server, the store and the image store load when first used, so client
 * commands (`baton apps`, `baton render`…) do not pay for them.
 */
import type { RunningRuntime, RuntimeOptions } from './runtime-server.js';

export type { CloseOptions, RunningRuntime, RuntimeOptions } from './runtime-server.js';
export type { NodeOptions } from './kubelet/start-node.js';
export type { Cluster } from './objects/cluster.js';
export type { ServiceProxyStats, ServiceStats } from './proxy/proxy-stats.js';
export { resources, type ResourceType } from './resources/registry.js';
export { SecretEnvelope } from './store/secret-envelope.js';

/** Starts the runtime: API server, controllers, node, network and ingress (see runtime-server.ts). */
export async function startRuntime(options: RuntimeOptions = {}): Promise<RunningRuntime> {
  const server = await import('./runtime-server.js');
  return server.startRuntime(options);
}

/** The image store (`baton image …`), loaded on use. */
export const loadImages = () => import('./images/index.js');

/** Backup and restore of a stopped runtime's store (`baton runtime backup|restore`), loaded on use. */
export const loadStoreBackup = () => import('./store/store-backup.js');
