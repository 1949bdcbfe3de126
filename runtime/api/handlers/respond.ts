import type { Request, Response } from 'express';
import type { KubeObject } from '../../kube/object.js';
import type { ResourceType } from '../../resources/registry.js';
import { wantsMetadataOnly, wantsTable } from '../request/media-type.js';
import { queryString } from '../request/query-options.js';
import { toTable, type IncludeObject } from '../printing/to-table.js';
import { customColumnsOf } from '../extension/printer-columns.js';

export function includeObjectOf(req: Request): IncludeObject {
  const value = queryString(req, 'includeObject');
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

export function sendJson(res: Response, code: number, body: unknown): void {
  res.status(code).type('application/json').send(JSON.stringify(body));
}

export function partialMetadata(obj: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** One object; a one-row Table when kubectl asks for server-side printing; only metadata when asked for that. */
export function sendObject(req: Request, res: Response, type: ResourceType, obj: KubeObject, code = 200): void {
  if (wantsMetadataOnly(req.headers.accept)) {
    sendJson(res, code, partialMetadata(obj));
    return;
  }
  if (wantsTable(req.headers.accept)) {
    sendJson(res, code, toTable(type.kind, [obj], { columns: customColumnsOf(type), includeObject: includeObjectOf(req), withColumns: true, resourceVersion: obj.metadata.resourceVersion }));
    return;
  }
  sendJson(res, code, obj);
}

/** Kubernetes' `Warning` header, one per unknown field, as fieldValidation=Warn sends them. */
export function addWarnings(res: Response, warnings: string[]): void {
  if (warnings.length === 0) return;
  res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
}
