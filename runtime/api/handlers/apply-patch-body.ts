import { badRequest, StatusError } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../patch/index.js';
import type { PatchType } from '../request/media-type.js';

/** Applies a JSON, merge or strategic merge patch to a copy of `live`. */
export function applyPatchBody(live: KubeObject, body: unknown, patchType: Exclude<PatchType, 'apply'>, kind: string): KubeObject {
  let result: unknown;
  if (patchType === 'json') result = applyJsonPatch(live, refuseProtoPaths(body));
  else if (patchType === 'merge') result = applyMergePatch(live, body);
  else result = applyStrategicMergePatch(live, body, kind);
  if (!result || typeof result !== 'object' || Array.isArray(result)) throw badRequest('the patch did not produce an object');
  // Checked here, before managed fields are recorded into it: a patch may set metadata to a number or a list.
  const metadata = (result as KubeObject).metadata as unknown;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw badRequest('metadata must be an object');
  return result as KubeObject;
}

/** true when the patch itself names a resourceVersion, which then must match (no retry on conflict). */
export function patchSetsResourceVersion(body: unknown, patchType: PatchType): boolean {
  if (patchType === 'json') {
    return Array.isArray(body) && body.some((op) => typeof op?.path === 'string' && op.path === '/metadata/resourceVersion');
  }
  return Boolean((body as KubeObject | undefined)?.metadata?.resourceVersion);
}

/**
 * JSON patch paths through `__proto__` (or `constructor/prototype`) are refused here, at the
 * edge, with the 422 a patch that does not apply gets: fast-json-patch refuses them too, but
 * with a plain TypeError that would surface as a 500.
 */
function refuseProtoPaths(ops: unknown): unknown {
  if (!Array.isArray(ops)) return ops;
  for (const op of ops) {
    for (const pointer of [op?.path, op?.from]) {
      if (typeof pointer !== 'string') continue;
      const keys = pointer.split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
      if (keys.some((k, i) => k === '__proto__' || (k === 'prototype' && keys[i - 1] === 'constructor'))) {
        const message = `${String(op.op)} operation does not apply: path ${pointer} reaches an object prototype`;
        throw new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', { causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }] });
      }
    }
  }
  return ops;
}
