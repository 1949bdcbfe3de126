import type { Request, Response } from 'express';
import { apiVersionOf, type ResourceType } from '../../resources/registry.js';
import { wantsMetadataOnly, wantsTable } from '../request/media-type.js';
import { queryString } from '../request/query-options.js';
import { toTable } from '../printing/to-table.js';
import type { ApiContext } from './api-context.js';
import { includeObjectOf, partialMetadata, sendJson, sendObject } from './respond.js';

export async function handleGet(ctx: ApiContext, req: Request, res: Response, type: ResourceType, namespace: string | undefined, name: string): Promise<void> {
  sendObject(req, res, type, await ctx.cluster.get(type, namespace, name));
}

/** A list; `limit` and `continue` are accepted and the whole list is returned in one page. */
export async function handleList(ctx: ApiContext, req: Request, res: Response, type: ResourceType, namespace: string | undefined): Promise<void> {
  const result = await ctx.cluster.list(type, {
    namespace,
    labelSelector: queryString(req, 'labelSelector'),
    fieldSelector: queryString(req, 'fieldSelector'),
  });
  if (wantsTable(req.headers.accept)) {
    sendJson(res, 200, toTable(type.kind, result.items, { includeObject: includeObjectOf(req), withColumns: true, resourceVersion: result.resourceVersion }));
    return;
  }
  if (wantsMetadataOnly(req.headers.accept)) {
    sendJson(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: result.resourceVersion }, items: result.items.map(partialMetadata) });
    return;
  }
  sendJson(res, 200, {
    kind: type.listKind,
    apiVersion: apiVersionOf(type),
    metadata: { resourceVersion: result.resourceVersion },
    items: result.items,
  });
}
