import type { Request, Response } from 'express';
import { badRequest, StatusError } from '../../errors/status-error.js';
import { selectorToString } from '../../kube/label-selector.js';
import type { KubeObject } from '../../kube/object.js';
import type { ResourceType } from '../../resources/registry.js';
import { decodeBody, isPlainObject } from '../request/decode-object.js';
import { isObjectMediaType } from '../request/media-type.js';
import { readBody } from '../request/read-body.js';
import { unsupportedMediaType } from '../../errors/status-error.js';
import type { ApiContext } from './api-context.js';
import { applyPatchBody, patchSetsResourceVersion } from './apply-patch-body.js';
import { readPatchBody } from './patch-handler.js';
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

async function writeReplicas(ctx: ApiContext, type: ResourceType, live: KubeObject, replicas: number, resourceVersion: string | undefined): Promise<KubeObject> {
  const next = structuredClone(live);
  next.spec = { ...(next.spec ?? {}), replicas };
  next.metadata.resourceVersion = resourceVersion ?? live.metadata.resourceVersion;
  return ctx.cluster.update(type, next);
}

export async function handleScale(ctx: ApiContext, req: Request, res: Response, type: ResourceType, namespace: string | undefined, name: string): Promise<void> {
  const live = await ctx.cluster.get(type, namespace, name);
  if (req.method === 'GET') return sendJson(res, 200, scaleOf(live));
  if (req.method === 'PUT') {
    if (!isObjectMediaType(req.headers['content-type'])) throw unsupportedMediaType(req.headers['content-type'] ?? '');
    const body = decodeBody(await readBody(req), req.headers['content-type']);
    if (!isPlainObject(body)) throw badRequest('the request body must be a Scale object');
    const scale = body as KubeObject;
    const updated = await writeReplicas(ctx, type, live, replicasOf(scale, name), scale.metadata?.resourceVersion || undefined);
    return sendJson(res, 200, scaleOf(updated));
  }
  const { patchType, body } = await readPatchBody(req);
  if (patchType === 'apply') throw badRequest('server-side apply is not supported on the scale subresource');
  const patched = applyPatchBody(scaleOf(live), body, patchType, 'Scale');
  const pinned = patchSetsResourceVersion(body, patchType);
  const updated = await writeReplicas(ctx, type, live, replicasOf(patched, name), pinned ? patched.metadata?.resourceVersion : undefined);
  sendJson(res, 200, scaleOf(updated));
}
