import type { Request, Response } from 'express';
import type { KubeObject } from '../../objects/types.js';
import type { ResourceType } from '../../resources/registry.js';
import { unknownFields } from '../openapi/unknown-fields.js';
import { validateObject } from '../validation/validate-object.js';
import type { ApiContext } from './api-context.js';
import { addWarnings } from './respond.js';

/**
 * The checks every write passes before the store sees it: field validation
 * (422) and a Warning for each field the published schema does not know.
 * Unknown fields are kept, so nothing a user wrote is silently dropped.
 */
export function admitObject(ctx: ApiContext, res: Response, type: ResourceType, obj: KubeObject): void {
  validateObject(obj, type);
  addWarnings(res, unknownFields(ctx.openapi.schemas, obj).map((path) => `unknown field "${path}"`));
}

/** The writer's name for managedFields: `fieldManager`, else the client's program name as Kubernetes derives it. */
export function fieldManagerOf(req: Request, fallback = 'unknown'): string {
  const given = (req.query as Record<string, unknown>).fieldManager;
  if (typeof given === 'string' && given) return given;
  const agent = req.headers['user-agent'];
  if (agent) return agent.split('/')[0] || fallback;
  return fallback;
}
