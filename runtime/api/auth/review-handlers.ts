import { Router, type Request, type Response } from 'express';
import { badRequest, invalid, methodNotAllowed } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { decodeBody, isPlainObject } from '../request/decode-object.js';
import { readBody } from '../request/read-body.js';
import { sendStatus } from '../send-status.js';
import type { UserInfo } from './authenticate.js';
import { MASTERS_GROUP, type RbacAuthorizer } from './rbac-authorizer.js';
import type { PolicyRule } from './rbac-rules.js';
import type { RequestAttributes } from './request-attributes.js';

/** The user the access middleware authenticated (`res.locals.user`). */
export function userOf(res: Response): UserInfo {
  return res.locals.user as UserInfo;
}

async function readReview(req: Request, kind: string): Promise<KubeObject> {
  const body = decodeBody(await readBody(req), req.headers['content-type']);
  if (!isPlainObject(body)) throw badRequest(`the request body must be a ${kind} object`);
  if (body.kind !== undefined && body.kind !== kind) throw badRequest(`the request body must be a ${kind}, not ${String(body.kind)}`);
  return body as KubeObject;
}

function created(res: Response, apiVersion: string, kind: string, review: KubeObject, status: Record<string, unknown>, spec?: unknown): void {
  const body = { kind, apiVersion, metadata: { ...(review.metadata ?? {}), creationTimestamp: null }, ...(spec !== undefined ? { spec } : {}), status };
  res.status(201).type('application/json').send(JSON.stringify(body));
}

/** SelfSubjectAccessReview: may the caller do this? (`kubectl auth can-i`). */
async function accessReview(authorizer: RbacAuthorizer, req: Request, res: Response): Promise<void> {
  const review = await readReview(req, 'SelfSubjectAccessReview');
  const spec = isPlainObject(review.spec) ? review.spec : {};
  const resourceAttrs = isPlainObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nonResourceAttrs = isPlainObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if (!resourceAttrs === !nonResourceAttrs) {
    throw invalid('SelfSubjectAccessReview', '', [{ field: 'spec.resourceAttributes', reason: 'FieldValueInvalid', message: `Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified` }], 'authorization.k8s.io');
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const attrs: RequestAttributes = resourceAttrs
    ? {
        verb: str(resourceAttrs.verb),
        resourceRequest: true,
        path: '',
        apiGroup: str(resourceAttrs.group),
        apiVersion: str(resourceAttrs.version),
        resource: str(resourceAttrs.resource),
        subresource: str(resourceAttrs.subresource),
        namespace: str(resourceAttrs.namespace),
        name: str(resourceAttrs.name),
      }
    : { verb: str(nonResourceAttrs!.verb), resourceRequest: false, path: str(nonResourceAttrs!.path), apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  const allowed = await authorizer.allows(userOf(res), attrs);
  created(res, 'authorization.k8s.io/v1', 'SelfSubjectAccessReview', review, { allowed }, spec);
}

const ALL: PolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };

/** SelfSubjectRulesReview: everything the caller may do in a namespace (`kubectl auth can-i --list`). */
async function rulesReview(authorizer: RbacAuthorizer, req: Request, res: Response): Promise<void> {
  const review = await readReview(req, 'SelfSubjectRulesReview');
  const spec = isPlainObject(review.spec) ? review.spec : {};
  const namespace = typeof spec.namespace === 'string' ? spec.namespace : '';
  const user = userOf(res);
  const found = await authorizer.rulesFor(user, namespace);
  // The privileged-groups authorizer answers every rule for system:masters before RBAC does.
  const rules = user.groups.includes(MASTERS_GROUP) ? [ALL, { verbs: ['*'], nonResourceURLs: ['*'] }, ...found.rules] : found.rules;
  const resourceRules = rules.filter((r) => !r.nonResourceURLs?.length).map((r) => ({
    verbs: r.verbs,
    ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}),
    ...(r.resources ? { resources: r.resources } : {}),
    ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
  }));
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  const status: Record<string, unknown> = { resourceRules, nonResourceRules, incomplete: found.errors.length > 0 };
  if (found.errors.length) status.evaluationError = found.errors.join(', ');
  created(res, 'authorization.k8s.io/v1', 'SelfSubjectRulesReview', review, status, spec);
}

/** SelfSubjectReview: who the caller is (`kubectl auth whoami`). */
async function selfReview(req: Request, res: Response): Promise<void> {
  const review = await readReview(req, 'SelfSubjectReview');
  const user = userOf(res);
  const userInfo = { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) };
  created(res, 'authentication.k8s.io/v1', 'SelfSubjectReview', review, { userInfo });
}

/** The review endpoints: create only, as in Kubernetes (other methods are 405). */
export function reviewRouter(authorizer: RbacAuthorizer): Router {
  const router = Router({ caseSensitive: true });
  const serve = (path: string, handler: (req: Request, res: Response) => Promise<void>) => {
    router.all(path, (req, res) => {
      if (req.method !== 'POST') {
        req.resume();
        sendStatus(res, methodNotAllowed(`the server does not allow this method on the requested resource (${req.method} ${path.split('/').pop()})`));
        return;
      }
      handler(req, res).catch((err) => {
        req.resume();
        sendStatus(res, err);
      });
    });
  };
  serve('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', (req, res) => accessReview(authorizer, req, res));
  serve('/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', (req, res) => rulesReview(authorizer, req, res));
  serve('/apis/authentication.k8s.io/v1/selfsubjectreviews', selfReview);
  return router;
}
