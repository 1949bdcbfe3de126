import type { Request, Response } from 'express';
import type { KubeObject } from '../../kube/object.js';
import { resources, type ResourceType } from '../../resources/registry.js';
import { mutateOnWrite, validateOnCreate } from '../admission/admission-plugins.js';
import { admitFields } from '../admission/field-validation-admission.js';
import type { UserInfo } from '../auth/authenticate.js';
import { preventEscalation } from '../auth/escalation.js';
import { applyDefaults } from '../defaulting/apply-defaults.js';
import { admitExtensionObject, isExtensionType } from '../extension/admit-extension.js';
import { defaultIngressClassName } from '../defaulting/default-ingress-class.js';
import { defaultClaimStorageClass } from '../defaulting/default-storage-class.js';
import { admitPodPriority } from '../defaulting/pod-priority.js';
import { isDryRun, queryString } from '../request/query-options.js';
import { validateObject } from '../validation/validate-object.js';
import type { ApiContext } from './api-context.js';
import { addWarnings } from './respond.js';

/**
 * What every write passes before the store sees it: server-side field
 * validation (unknown fields dropped with a Warning, refused under
 * fieldValidation=Strict), Kubernetes' defaults, on create its defaulting admission
 * (an Ingress' default class), then validation (422), against `live` on an
 * update (of the object, or with `status` of its status). Returns the defaulted object, which is `obj` changed in place for a
 * built-in kind: `obj` must be the caller's own, shared with nothing it still reads.
 */
export async function admitObject(ctx: ApiContext, res: Response, type: ResourceType, obj: KubeObject, live?: KubeObject, status = false): Promise<KubeObject> {
  // CRDs and custom resources: their schema comes from the CRD, and they take no built-in kind's defaults or rules.
  if (isExtensionType(type)) return admitExtensionObject(res, type, obj, live, (warnings) => addWarnings(res, warnings));
  const defaulted = applyDefaults(admitFields(res, ctx.openapi.schemas, type, obj));
  if (!live && type === resources.ingresses) await defaultIngressClassName(ctx.cluster, defaulted);
  if (!live && type === resources.pods) await admitPodPriority(ctx.cluster, defaulted);
  if (!live && type === resources.persistentvolumeclaims) await defaultClaimStorageClass(ctx.cluster, defaulted);
  await mutateOnWrite(ctx.cluster, type, defaulted, !live);
  validateObject(defaulted, type, live, status);
  if (!live) await validateOnCreate(ctx.cluster, type, defaulted, isDryRun(res.req));
  if (ctx.authorizer) await preventEscalation(ctx.authorizer, res.locals.user as UserInfo | undefined, type, defaulted, live);
  return defaulted;
}

/** The writer's name for managedFields: `fieldManager`, else the client's program name as Kubernetes derives it. */
export function fieldManagerOf(req: Request, fallback = 'unknown'): string {
  const given = queryString(req, 'fieldManager');
  if (given) return given;
  const agent = req.headers['user-agent'];
  if (agent) return agent.split('/')[0] || fallback;
  return fallback;
}
