import type { Request, Response } from 'express';
import { badRequest, StatusError, unsupportedMediaType } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import type { ResourceType } from '../../resources/registry.js';
import { decodeBody, isPlainObject } from '../request/decode-object.js';
import { noteDuplicateFields } from '../request/field-validation.js';
import { checkObjectFor } from '../request/decode-write-body.js';
import { patchTypeOf, type PatchType } from '../request/media-type.js';
import { readBody } from '../request/read-body.js';
import { queryBool, queryString } from '../request/query-options.js';
import { checkWriteOptions } from '../request/write-options.js';
import type { UserInfo } from '../auth/authenticate.js';
import { authorizeCreateByPatch } from '../auth/access-control.js';
import type { ApiContext } from './api-context.js';
import { admitObject, fieldManagerOf } from './admit-object.js';
import { applyPatchBody, patchSetsResourceVersion } from './apply-patch-body.js';
import { recordUpdate, serverSideApply } from '../../patch/index.js';
import { sendObject } from './respond.js';
import { createAndAnswer, updateAndAnswer } from './write-answer.js';
import { semanticEqual } from '../../kube/canonical-json.js';
import { getIfExists } from '../../objects/get-if-exists.js';

function customResourcePatchType(): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
}

/** Attempts when a concurrent writer changes the object between our read and write. */
/** A write whose body names no resourceVersion is retried on conflict this often (as kube-apiserver's GuaranteedUpdate). */
export const CONFLICT_RETRIES = 5;

export async function readPatchBody(req: Request): Promise<{ patchType: PatchType; body: unknown }> {
  const contentType = req.headers['content-type'];
  const patchType = patchTypeOf(contentType);
  if (!patchType) {
    req.resume();
    throw unsupportedMediaType(contentType ?? '');
  }
  const raw = await readBody(req);
  // Apply bodies are YAML (JSON is YAML too); the other patch types are JSON.
  const body = decodeBody(raw, patchType === 'apply' ? 'application/yaml' : 'application/json');
  if (patchType === 'json' ? !Array.isArray(body) : !isPlainObject(body)) {
    throw badRequest(patchType === 'json' ? 'a JSON patch must be a list of operations' : 'the patch must be a JSON object');
  }
  if (patchType === 'merge' || patchType === 'strategic') noteDuplicateFields(req, raw.toString('utf8'));
  return { patchType, body };
}

/**
 * PATCH in its four content types. Apply (server-side) needs a fieldManager,
 * honours `force`, and creates the object when it does not exist yet.
 */
export async function handlePatch(
  ctx: ApiContext,
  req: Request,
  res: Response,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  status: boolean,
): Promise<void> {
  const { patchType, body } = await readPatchBody(req);
  // Custom resources have no patch strategies to merge by, so Kubernetes refuses strategic merge patches for them.
  if (patchType === 'strategic' && type.crd) throw customResourcePatchType();
  const dryRun = checkWriteOptions(req, 'PatchOptions', patchType);
  const manager = queryString(req, 'fieldManager');
  const force = queryBool(req, 'force');
  const pinned = patchSetsResourceVersion(body, patchType);

  for (let attempt = 0; ; attempt++) {
    // Only an apply to the main resource may create; the others answer get's NotFound.
    const live = patchType === 'apply' && !status ? await getIfExists(ctx.cluster, type, namespace, name) : await ctx.cluster.get(type, namespace, name);
    let next: KubeObject;
    if (patchType === 'apply') {
      const applied = checkObjectFor(body as KubeObject, type, namespace, name);
      next = serverSideApply({ live, applied, manager: manager!, force });
    } else {
      next = recordUpdate(live, applyPatchBody(live!, body, patchType, type.kind), fieldManagerOf(req), undefined, status ? 'status' : undefined);
    }
    if (!live && ctx.authorizer) await authorizeCreateByPatch(ctx.authorizer, res.locals.user as UserInfo | undefined, type, namespace, name);
    next = await admitObject(ctx, res, type, checkObjectFor(next, type, namespace, name), live, status);
    if (!live) {
      if (dryRun) return sendObject(req, res, type, next, 201);
      return await createAndAnswer(ctx, req, res, type, next);
    }
    if (!pinned) next.metadata.resourceVersion = live.metadata.resourceVersion;
    if (dryRun) return sendObject(req, res, type, next);
    // A patch that changes nothing but managedFields timestamps is not a write (as Kubernetes
    // skips no-op applies): no new resourceVersion, no MODIFIED event for every watcher.
    if (sameIgnoringManagedFieldTimes(live, next)) return sendObject(req, res, type, live);
    try {
      return await updateAndAnswer(ctx, req, res, type, next, { status, fieldManager: manager ?? fieldManagerOf(req) });
    } catch (err) {
      const retry = !pinned && (err as { code?: number; reason?: string }).reason === 'Conflict' && attempt < CONFLICT_RETRIES;
      if (!retry) throw err;
    }
  }
}

function sameIgnoringManagedFieldTimes(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({
    ...o,
    metadata: { ...o.metadata, managedFields: (o.metadata.managedFields ?? []).map(({ time: _time, ...rest }) => rest) },
  });
  return semanticEqual(strip(a), strip(b));
}
