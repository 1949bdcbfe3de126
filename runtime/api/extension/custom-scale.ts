import type { Request, Response } from 'express';
import { badRequest, conflict, StatusError, unsupportedMediaType } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { qualifiedName, type ResourceType } from '../../resources/registry.js';
import { CONFLICT_MESSAGE } from '../../store/index.js';
import type { ApiContext } from '../handlers/api-context.js';
import { applyPatchBody, patchSetsResourceVersion } from '../handlers/apply-patch-body.js';
import { readPatchBody } from '../handlers/patch-handler.js';
import { replicasOf } from '../handlers/scale-handler.js';
import { sendJson } from '../handlers/respond.js';
import { decodeBody, isPlainObject } from '../request/decode-object.js';
import { isObjectMediaType } from '../request/media-type.js';
import { readBody } from '../request/read-body.js';
import { checkWriteOptions } from '../request/write-options.js';
import { admitExtensionObject } from './admit-extension.js';
import { customVersionOf, type ScalePaths } from './custom-versions.js';
import { isObjectValue } from './json-schema.js';

function segments(path: string): string[] {
  return path.replace(/^\./, '').split('.');
}

function read(obj: KubeObject, path: string): unknown {
  return segments(path).reduce<unknown>((o, k) => (isObjectValue(o) ? o[k] : undefined), obj);
}

function write(obj: KubeObject, path: string, value: unknown): void {
  const keys = segments(path);
  let at = obj as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) at = (isObjectValue(at[k]) ? at[k] : (at[k] = {})) as Record<string, unknown>;
  at[keys[keys.length - 1]] = value;
}

/** The autoscaling/v1 Scale of a custom resource, read through its CRD's scale paths. */
function scaleOf(obj: KubeObject, paths: ScalePaths): KubeObject {
  const m = obj.metadata;
  const replicas = read(obj, paths.specReplicasPath);
  const selector = paths.labelSelectorPath ? read(obj, paths.labelSelectorPath) : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: typeof replicas === 'number' ? replicas : 0 },
    status: { replicas: Number(read(obj, paths.statusReplicasPath) ?? 0), ...(typeof selector === 'string' ? { selector } : {}) },
  };
}

/**
 * `{plural}/{name}/scale` of a custom resource (GET, PUT, merge and JSON
 * PATCH): the replicas live at the CRD's specReplicasPath, and a change is
 * checked against the version's schema like any other write.
 */
export async function handleCustomScale(ctx: ApiContext, req: Request, res: Response, type: ResourceType, namespace: string | undefined, name: string): Promise<void> {
  const paths = customVersionOf(type)?.scale;
  if (!paths) throw new StatusError(404, 'NotFound', `the server could not find the requested resource (${type.plural}/scale)`);
  const live = await ctx.cluster.get(type, namespace, name);
  if (req.method === 'GET') return sendJson(res, 200, scaleOf(live, paths));
  let scale: KubeObject;
  let resourceVersion: string | undefined;
  let dryRun: boolean;
  if (req.method === 'PUT') {
    if (!isObjectMediaType(req.headers['content-type'])) throw unsupportedMediaType(req.headers['content-type'] ?? '');
    dryRun = checkWriteOptions(req, 'UpdateOptions');
    const body = decodeBody(await readBody(req), req.headers['content-type']);
    if (!isPlainObject(body)) throw badRequest('the request body must be a Scale object');
    scale = body as KubeObject;
    resourceVersion = scale.metadata?.resourceVersion || undefined;
  } else {
    const { patchType, body } = await readPatchBody(req);
    if (patchType === 'apply' || patchType === 'strategic') throw badRequest(`${patchType === 'apply' ? 'server-side apply' : 'a strategic merge patch'} is not supported on a custom resource's scale subresource`);
    dryRun = checkWriteOptions(req, 'PatchOptions', patchType);
    scale = applyPatchBody(scaleOf(live, paths), body, patchType, 'Scale');
    resourceVersion = patchSetsResourceVersion(body, patchType) ? scale.metadata?.resourceVersion : undefined;
  }
  const next = structuredClone(live);
  write(next, paths.specReplicasPath, replicasOf(scale, name));
  next.metadata.resourceVersion = resourceVersion ?? live.metadata.resourceVersion;
  const admitted = admitExtensionObject(res, type, next, live, () => {});
  if (dryRun) {
    if (admitted.metadata.resourceVersion !== live.metadata.resourceVersion) throw conflict(qualifiedName(type), name, CONFLICT_MESSAGE);
    return sendJson(res, 200, scaleOf(admitted, paths));
  }
  sendJson(res, 200, scaleOf(await ctx.cluster.update(type, admitted), paths));
}
