import type { Request, Response } from 'express';
import { apiVersionOf, type ResourceType } from '../../resources/registry.js';
import { wantsMetadataOnly, wantsTable } from '../request/media-type.js';
import { queryInt, queryString } from '../request/query-options.js';
import { badRequest } from '../../errors/status-error.js';
import { toTable } from '../printing/to-table.js';
import { customColumnsOf } from '../extension/printer-columns.js';
import type { ApiContext } from './api-context.js';
import { includeObjectOf, partialMetadata, sendJson, sendJsonText, sendObject } from './respond.js';
import type { ListOptions, ListResult } from '../../objects/cluster.js';

export async function handleGet(ctx: ApiContext, req: Request, res: Response, type: ResourceType, namespace: string | undefined, name: string): Promise<void> {
  const { accept } = req.headers;
  if (ctx.cluster.getJson && !wantsTable(accept) && !wantsMetadataOnly(accept)) {
    sendJsonText(res, 200, await ctx.cluster.getJson(type, namespace, name));
    return;
  }
  sendObject(req, res, type, await ctx.cluster.get(type, namespace, name));
}

/** A list, in pages when `limit` is given (`continue` fetches the next, read at the first page's resourceVersion). */
export async function handleList(ctx: ApiContext, req: Request, res: Response, type: ResourceType, namespace: string | undefined): Promise<void> {
  const limit = queryInt(req, 'limit');
  const token = queryString(req, 'continue') || undefined;
  const rv = queryString(req, 'resourceVersion');
  if (token && rv) throw badRequest('specifying resource version is not allowed when using continue');
  const options: ListOptions = {
    namespace,
    labelSelector: queryString(req, 'labelSelector'),
    fieldSelector: queryString(req, 'fieldSelector'),
    // resourceVersion=0 is served from the watch cache in Kubernetes, which ignores limit.
    limit: rv === '0' || limit === undefined || limit < 0 ? undefined : limit,
    continue: token,
  };
  const { accept } = req.headers;
  if (ctx.cluster.listJson && !wantsTable(accept) && !wantsMetadataOnly(accept)) {
    const result = await ctx.cluster.listJson(type, options);
    // The text JSON.stringify gives the list below, with each item's stored text in place of a copy's.
    const head = JSON.stringify({ kind: type.listKind, apiVersion: apiVersionOf(type), metadata: listMetaOf(result) });
    sendJsonText(res, 200, `${head.slice(0, -1)},"items":[${result.items.join(',')}]}`);
    return;
  }
  const result = await ctx.cluster.list(type, options);
  const listMeta = listMetaOf(result);
  if (wantsTable(accept)) {
    sendJson(res, 200, toTable(type.kind, result.items, { columns: customColumnsOf(type), includeObject: includeObjectOf(req), withColumns: true, resourceVersion: result.resourceVersion, continue: result.continue, remainingItemCount: result.remainingItemCount }));
    return;
  }
  if (wantsMetadataOnly(accept)) {
    sendJson(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items: result.items.map(partialMetadata) });
    return;
  }
  sendJson(res, 200, {
    kind: type.listKind,
    apiVersion: apiVersionOf(type),
    metadata: listMeta,
    items: result.items,
  });
}

function listMetaOf(result: Omit<ListResult, 'items'>): Record<string, unknown> {
  return {
    resourceVersion: result.resourceVersion,
    ...(result.continue ? { continue: result.continue } : {}),
    ...(result.remainingItemCount !== undefined ? { remainingItemCount: result.remainingItemCount } : {}),
  };
}
