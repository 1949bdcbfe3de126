/**
 * The built-in runtime's object store: `openLocalCluster` gives the `Cluster`
 * that the API server and the in-process controllers share (Kubernetes object
 * semantics, watch with resume, owner-reference garbage collection, SQLite
 * persistence in `<stateDir>/store.db`). The selector parsers are exported for
 * the HTTP layer and controllers.
 */
export { openLocalCluster, type LocalCluster, type LocalClusterOptions } from './local-cluster.js';
export { parseLabelSelector, labelSelectorFromObject } from './label-selector.js';
export { parseFieldSelector, fieldValue, type FieldSelector, type FieldRequirement } from './field-selector.js';
export { backupStore, restoreStore } from './store-backup.js';
export { answerJson } from './stored-json.js';
export { CONFLICT_MESSAGE } from './object-rules.js';
