import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { StatusError, unauthorized } from '../../errors/status-error.js';
import { sendStatus } from '../send-status.js';
import type { Cluster } from '../../objects/cluster.js';
import type { ResourceType } from '../../resources/registry.js';
import { createAuthenticator, type Authenticator, type UserInfo } from './authenticate.js';
import { impersonatedUser } from './impersonation.js';
import { RbacAuthorizer } from './rbac-authorizer.js';
import type { ServiceAccountTokens } from './service-account-tokens.js';
import { forbiddenMessage, requestAttributes, type RequestAttributes } from './request-attributes.js';
import { queryOf } from '../request/query-options.js';

/** Who may call the API, and what they may do. */
export interface AccessControl {
  authenticate: Authenticator;
  authorizer: RbacAuthorizer;
}

/** The admin token and, given `tokens`, service account tokens; RBAC over `cluster`. */
export function createAccessControl(options: { adminToken: string; cluster: Cluster; tokens?: ServiceAccountTokens }): AccessControl {
  return { authenticate: createAuthenticator(options), authorizer: new RbacAuthorizer(options.cluster) };
}

/** Kubernetes' 403 for a denied request: the Status names the resource, its group and the object. */
export function forbiddenRequest(user: UserInfo, attrs: RequestAttributes): StatusError {
  const details = attrs.resourceRequest ? { ...(attrs.name ? { name: attrs.name } : {}), group: attrs.apiGroup, kind: attrs.resource } : {};
  return new StatusError(403, 'Forbidden', forbiddenMessage(user.username, attrs), details);
}

/**
 * A patch that creates the object it names (server-side apply) needs `create`
 * on it as well as `patch`, as Kubernetes' patch handler asks (withAuthorization
 * around its create validation). Without a user (no access control) it passes.
 */
export async function authorizeCreateByPatch(authorizer: RbacAuthorizer, user: UserInfo | undefined, type: ResourceType, namespace: string | undefined, name: string): Promise<void> {
  if (!user) return;
  const attrs: RequestAttributes = { verb: 'create', resourceRequest: true, path: '', apiGroup: type.group, apiVersion: type.version, resource: type.plural, subresource: '', namespace: namespace ?? '', name };
  if (!(await authorizer.allows(user, attrs))) throw forbiddenRequest(user, attrs);
}

/**
 * Authenticates a request (401 without a known token), turns it into the
 * impersonated user's when it asks (`kubectl --as`), and authorizes its
 * attributes by RBAC (403). `extraVerbs` must be allowed too: a WebSocket
 * exec, attach or port-forward is a GET that also needs `create`, as
 * Kubernetes' AuthorizePodWebsocketUpgradeCreatePermission asks.
 */
export async function admitRequest(access: AccessControl, req: IncomingMessage, path: string, query: Record<string, unknown>, extraVerbs: string[] = []): Promise<UserInfo> {
  const caller = await access.authenticate(req.headers.authorization);
  if (!caller) throw unauthorized();
  const user = await impersonatedUser(caller, req.headersDistinct, access.authorizer);
  const attrs = requestAttributes(req.method ?? 'GET', path, query);
  for (const verb of [attrs.verb, ...extraVerbs]) {
    const asked = { ...attrs, verb };
    if (!(await access.authorizer.allows(user, asked))) throw forbiddenRequest(user, asked);
  }
  return user;
}

/** The express middleware: the user lands in `res.locals.user` for the handlers (reviews, escalation checks). */
export function accessMiddleware(access: AccessControl) {
  return (req: Request, res: Response, next: NextFunction): void => {
    admitRequest(access, req, req.path, queryOf(req)).then(
      (user) => {
        res.locals.user = user;
        next();
      },
      (err) => {
        req.resume();
        sendStatus(res, err);
      },
    );
  };
}
