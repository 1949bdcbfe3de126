export { createSyncProcessor, type SyncAppDeps } from './sync-app.js';
export { startSyncWorker, type RunningSyncWorker, type StartSyncWorkerOptions } from './start-sync-worker.js';
export { SyncRegistry, type RegisteredRepository } from './sync-registry.js';
export { SourceCache } from './source-cache.js';
export { readAppConfig, BATON_YAML, type AppConfig } from './read-app-config.js';
export { seedRepository } from './seed-repository.js';
export { bundledChartsDir, examplesRepoDir, packageRoot } from './bundled-paths.js';
export { shortRevision } from './sync-outcome.js';
