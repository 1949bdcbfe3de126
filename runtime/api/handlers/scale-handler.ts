import type { Request, Response } from 'express';
import { badRequest, conflict, StatusError } from '../../errors/status-error.js';
import { selectorToString } from '../../kube/label-selector.js';
import type { KubeObject } from '../../kube/object.js';
import { qualifiedName, type ResourceType } from '../../resources/registry.js';
import { CONFLICT_MESSAGE } from '../../store/index.js';
import { decodeBody, isPlainObject } from '../request/decode-object.js';
import { isObjectMediaType } from '../request/media-type.js';
import { readBody } from '../request/read-body.js';
import { checkWriteOptions } from '../request/write-options.js';
import { unsupportedMediaType } from '../../errors/status-error.js';
import type { ApiContext } from './api-context.js';
import { applyPatchBody, patchSetsResourceVersion } from './apply-patch-body.js';
import { CONFLICT_RETRIES, readPatchBody } from './patch-handler.js';
import { sendJson } from './respond.js';

/** The autoscaling/v1 Scale view of a deployment, replica set or replication controller. */
export function scaleOf(obj: KubeObject): KubeObject {
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 1 },
    // A ReplicationController's selector is a plain label map.
    status: { replicas: obj.status?.replicas ?? 0, selector: selectorToString((obj.kind === 'ReplicationController' ? { matchLabels: obj.spec?.selector } : obj.spec?.selector) ?? {}) },
  };
}

/** A Scale's `spec.replicas`, or Kubernetes' 422 when it is not a whole number ≥ 0 (built-in and custom resources alike). */
export function replicasOf(scale: KubeObject, name: string): number {
  const replicas = scale.spec?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) {
    const message = `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`;
    throw new StatusError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: ${message}`, {
      name,
      group: 'autoscaling',
      kind: 'Scale',
      causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message }],
    });
  }
  return replicas;
}

/**
 * Sets `replicas` on the live object. Without a resourceVersion from the client the write is
 * unconditional: it reads the object again and retries when a controller wrote it meanwhile
 * (a status update), as kube-apiserver does; a client's resourceVersion must match.
 */
async function writeReplicas(
  ctx: ApiContext,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  change: (live: KubeObject) => { replicas: number; resourceVersion?: string },
  dryRun: boolean,
): Promise<KubeObject> {
  for (let attempt = 0; ; attempt++) {
    const live = await ctx.cluster.get(type, namespace, name);
    const { replicas, resourceVersion } = change(live);
    const next = structuredClone(live);
    next.spec = { ...(next.spec ?? {}), replicas };
    next.metadata.resourceVersion = resourceVersion ?? live.metadata.resourceVersion;
    if (dryRun) {
      // What the write would be checked against, without writing: a stale resourceVersion is still a conflict.
      if (resourceVersion !== undefined && resourceVersion !== live.metadata.resourceVersion) throw conflict(qualifiedName(type), name, CONFLICT_MESSAGE);
      return next;
    }
    try {
      return await ctx.cluster.update(type, next);
    } catch (err) {
      const retry = resourceVersion === undefined && (err as { reason?: string }).reason === 'Conflict' && attempt < CONFLICT_RETRIES;
      if (!retry) throw err;
    }
  }
}

export async function handleScale(ctx: ApiContext, req: Request, res: Response, type: ResourceType, namespace: string | undefined, name: string): Promise<void> {
  if (req.method === 'GET') return sendJson(res, 200, scaleOf(await ctx.cluster.get(type, namespace, name)));
  if (req.method === 'PUT') {
    if (!isObjectMediaType(req.headers['content-type'])) throw unsupportedMediaType(req.headers['content-type'] ?? '');
    const dryRun = checkWriteOptions(req, 'UpdateOptions');
    const body = decodeBody(await readBody(req), req.headers['content-type']);
    if (!isPlainObject(body)) throw badRequest('the request body must be a Scale object');
    const scale = body as KubeObject;
    // Validated after the read: a missing object is a 404 first, as kube-apiserver reads it first.
    const updated = await writeReplicas(ctx, type, namespace, name, () => ({ replicas: replicasOf(scale, name), resourceVersion: scale.metadata?.resourceVersion || undefined }), dryRun);
    return sendJson(res, 200, scaleOf(updated));
  }
  const { patchType, body } = await readPatchBody(req);
  if (patchType === 'apply') throw badRequest('server-side apply is not supported on the scale subresource');
  const dryRun = checkWriteOptions(req, 'PatchOptions', patchType);
  const pinned = patchSetsResourceVersion(body, patchType);
  const updated = await writeReplicas(ctx, type, namespace, name, (live) => {
    const patched = applyPatchBody(scaleOf(live), body, patchType, 'Scale');
    return { replicas: replicasOf(patched, name), resourceVersion: pinned ? patched.metadata?.resourceVersion : undefined };
  }, dryRun);
  sendJson(res, 200, scaleOf(updated));
}
