import type { Request, Response } from 'express';
import type { KubeObject } from '../../kube/object.js';
import type { ResourceType } from '../../resources/registry.js';
import { wantsMetadataOnly, wantsTable } from '../request/media-type.js';
import { queryString } from '../request/query-options.js';
import { toTable, type IncludeObject } from '../printing/to-table.js';
import { customColumnsOf } from '../extension/printer-columns.js';
import { answerJson } from '../../store/index.js';

export function includeObjectOf(req: Request): IncludeObject {
  const value = queryString(req, 'includeObject');
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

/**
 * Written straight to Node's response: express's `type().send()` looked the
 * media type up, parsed it again for the charset and checked freshness on
 * every answer (about 4% of the runtime's CPU applying a large app), for the
 * same headers. Node drops the body of a HEAD answer itself.
 */
export function sendJson(res: Response, code: number, body: unknown): void {
  sendJsonText(res, code, JSON.stringify(body));
}

export function sendJsonText(res: Response, code: number, text: string): void {
  res.statusCode = code;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
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
  // A write's answer is exactly what was stored: its stored text, not a second stringify.
  sendJsonText(res, code, answerJson(obj) ?? JSON.stringify(obj));
}

/** Kubernetes' `Warning` header, one per unknown field, as fieldValidation=Warn sends them. */
export function addWarnings(res: Response, warnings: string[]): void {
  if (warnings.length === 0) return;
  res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
}
