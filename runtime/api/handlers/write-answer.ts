import type { Request, Response } from 'express';
import type { KubeObject } from '../../kube/object.js';
import type { UpdateOptions } from '../../objects/cluster.js';
import type { ResourceType } from '../../resources/registry.js';
import type { ApiContext } from './api-context.js';
import { sendJsonText, sendObject } from './respond.js';
import { wantsMetadataOnly, wantsTable } from '../request/media-type.js';

/**
 * A create or update answered with what was stored. Through the store's JSON text when the cluster
 * offers it (Cluster.createJson): the answer is those bytes, with no copy of the object parsed
 * from them only to be sent (a Table or metadata-only answer still needs the object).
 */
export async function createAndAnswer(ctx: ApiContext, req: Request, res: Response, type: ResourceType, object: KubeObject): Promise<void> {
  if (ctx.cluster.createJson && wantsWholeObject(req)) return sendJsonText(res, 201, await ctx.cluster.createJson(type, object));
  sendObject(req, res, type, await ctx.cluster.create(type, object), 201);
}

export async function updateAndAnswer(ctx: ApiContext, req: Request, res: Response, type: ResourceType, object: KubeObject, options: UpdateOptions): Promise<void> {
  if (ctx.cluster.updateJson && wantsWholeObject(req)) return sendJsonText(res, 200, await ctx.cluster.updateJson(type, object, options));
  sendObject(req, res, type, await ctx.cluster.update(type, object, options));
}

function wantsWholeObject(req: Request): boolean {
  const accept = req.headers.accept;
  return !wantsMetadataOnly(accept) && !wantsTable(accept);
}
