export { applyMergePatch } from './merge-patch.js';
export { applyJsonPatch } from './json-patch.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
export { serverSideApply, type ServerSideApplyArgs } from './server-side-apply.js';
export { recordUpdate } from './record-update.js';
