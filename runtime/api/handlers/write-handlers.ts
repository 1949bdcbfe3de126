import type { Request, Response } from 'express';
import { methodNotAllowed } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { qualifiedName, resources, type ResourceType } from '../../resources/registry.js';
import { recordUpdate } from '../../patch/index.js';
import { decodeBody, isPlainObject } from '../request/decode-object.js';
import { readObjectBody } from '../request/decode-write-body.js';
import { readBody } from '../request/read-body.js';
import { deleteOptionsOf } from '../request/delete-options.js';
import { queryString } from '../request/query-options.js';
import { checkWriteOptions } from '../request/write-options.js';
import { successStatus } from '../send-status.js';
import type { ApiContext } from './api-context.js';
import { admitObject, fieldManagerOf } from './admit-object.js';
import { sendJson, sendObject } from './respond.js';
import { createAndAnswer, updateAndAnswer } from './write-answer.js';

export async function handleCreate(ctx: ApiContext, req: Request, res: Response, type: ResourceType, namespace: string | undefined): Promise<void> {
  const dryRun = checkWriteOptions(req, 'CreateOptions');
  const obj = await admitObject(ctx, res, type, await readObjectBody(req, type, namespace));
  const recorded = recordUpdate(undefined, obj, fieldManagerOf(req));
  if (dryRun) return sendObject(req, res, type, recorded, 201);
  await createAndAnswer(ctx, req, res, type, recorded);
}

/** PUT: a full replacement; a stale metadata.resourceVersion is a 409 from the store. */
export async function handleUpdate(
  ctx: ApiContext,
  req: Request,
  res: Response,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  status: boolean,
): Promise<void> {
  const dryRun = checkWriteOptions(req, 'UpdateOptions');
  const body = await readObjectBody(req, type, namespace, name);
  const live = await ctx.cluster.get(type, namespace, name);
  const obj = await admitObject(ctx, res, type, body, live, status);
  const recorded = recordUpdate(live, obj, fieldManagerOf(req), undefined, status ? 'status' : undefined);
  if (dryRun) return sendObject(req, res, type, recorded);
  await updateAndAnswer(ctx, req, res, type, recorded, { status, fieldManager: fieldManagerOf(req) });
}

async function readDeleteBody(req: Request): Promise<Record<string, unknown> | undefined> {
  const raw = await readBody(req);
  if (raw.length === 0 || raw.toString('utf8').trim() === '') return undefined;
  const value = decodeBody(raw, req.headers['content-type'] ?? 'application/json');
  return isPlainObject(value) ? value : undefined;
}

/**
 * The object while deletion is pending (grace period, finalizers, a namespace
 * being emptied); a Success Status once it is gone, except for pods, which
 * Kubernetes always answers with the pod.
 */
export async function handleDelete(ctx: ApiContext, req: Request, res: Response, type: ResourceType, namespace: string | undefined, name: string): Promise<void> {
  const { options, dryRun } = deleteOptionsOf(req, await readDeleteBody(req));
  if (dryRun) return sendObject(req, res, type, await ctx.cluster.get(type, namespace, name));
  const result = await ctx.cluster.delete(type, namespace, name, options);
  if (result.metadata.deletionTimestamp || type === resources.pods) return sendObject(req, res, type, result);
  sendJson(res, 200, successStatus({ name, group: type.group, kind: type.plural, uid: result.metadata.uid }));
}

export async function handleDeleteCollection(ctx: ApiContext, req: Request, res: Response, type: ResourceType, namespace: string | undefined): Promise<void> {
  if (type === resources.namespaces && !queryString(req, 'labelSelector') && !queryString(req, 'fieldSelector')) {
    throw methodNotAllowed(`deleting every ${qualifiedName(type)} at once is not allowed; name them or use a selector`);
  }
  const { options, dryRun } = deleteOptionsOf(req, await readDeleteBody(req));
  const { items, resourceVersion } = await ctx.cluster.list(type, {
    namespace,
    labelSelector: queryString(req, 'labelSelector'),
    fieldSelector: queryString(req, 'fieldSelector'),
  });
  const deleted: KubeObject[] = [];
  if (!dryRun) {
    for (const item of items) {
      try {
        deleted.push(await ctx.cluster.delete(type, item.metadata.namespace, item.metadata.name!, options));
      } catch (err) {
        // Gone in the meantime: that is what was asked for.
        if ((err as { code?: number }).code !== 404) throw err;
      }
    }
  }
  sendJson(res, 200, { kind: type.listKind, apiVersion: type.group ? `${type.group}/${type.version}` : type.version, metadata: { resourceVersion }, items: dryRun ? items : deleted });
}
