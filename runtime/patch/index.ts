/**
 * Patching and field ownership for the runtime's API server. Pure functions;
 * errors are StatusErrors. How the PATCH content types map:
 * - application/merge-patch+json → applyMergePatch
 * - application/json-patch+json → applyJsonPatch
 * - application/strategic-merge-patch+json → applyStrategicMergePatch (by kind)
 * - application/apply-patch+yaml → serverSideApply (fieldManager, force)
 * Every other write (create, update, the three patches above) should pass its
 * result through recordUpdate so later applies see who owns what.
 */
export { applyMergePatch } from './merge-patch.js';
export { applyJsonPatch } from './json-patch.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
export { serverSideApply, type ServerSideApplyArgs } from './server-side-apply.js';
export { recordUpdate } from './record-update.js';
export { cloneJson } from './json-value.js';
