import type { Request, Response } from 'express';
import { badRequest, methodNotAllowed, StatusError } from '../../errors/status-error.js';
import { parseApiPath, type ApiPath } from '../routing/parse-api-path.js';
import { queryBool } from '../request/query-options.js';
import type { ApiContext } from './api-context.js';
import { handleGet, handleList } from './read-handlers.js';
import { handleLog } from './log-handler.js';
import { handleEviction } from './eviction-handler.js';
import { handlePatch } from './patch-handler.js';
import { handleScale } from './scale-handler.js';
import { handleCustomScale } from '../extension/custom-scale.js';
import { servedVersionCluster } from '../extension/served-version-cluster.js';
import { handleWatch } from './watch-handler.js';
import { hpaV1Cluster } from '../conversion/hpa-v1-cluster.js';
import { horizontalPodAutoscalersV1 } from '../../resources/registry.js';
import { handleCreate, handleDelete, handleDeleteCollection, handleUpdate } from './write-handlers.js';

function notAllowed(req: Request, path: ApiPath): Error {
  const what = path.subresource ? `${path.type.plural}/${path.subresource}` : path.type.plural;
  return methodNotAllowed(`the server does not allow this method on the requested resource (${req.method} ${what})`);
}

async function handleCollection(ctx: ApiContext, req: Request, res: Response, path: ApiPath): Promise<void> {
  const { type, namespace } = path;
  switch (req.method) {
    case 'GET':
      if (path.watchPrefix || queryBool(req, 'watch')) return handleWatch(ctx, req, res, type, namespace);
      return handleList(ctx, req, res, type, namespace);
    case 'POST':
      return handleCreate(ctx, req, res, type, namespace);
    case 'DELETE':
      return handleDeleteCollection(ctx, req, res, type, namespace);
    default:
      throw notAllowed(req, path);
  }
}

async function handleItem(ctx: ApiContext, req: Request, res: Response, path: ApiPath, name: string): Promise<void> {
  const { type, namespace, subresource } = path;
  if (subresource === 'scale') {
    if (!['GET', 'PUT', 'PATCH'].includes(req.method)) throw notAllowed(req, path);
    if (type.crd) return handleCustomScale(ctx, req, res, type, namespace, name);
    return handleScale(ctx, req, res, type, namespace, name);
  }
  if (subresource === 'eviction') {
    if (req.method !== 'POST') throw notAllowed(req, path);
    return handleEviction(ctx, req, res, namespace, name);
  }
  // Served by runtime/api/auth's TokenRequest route when the runtime signs tokens; otherwise there is none.
  if (subresource === 'token') {
    req.resume();
    throw new StatusError(404, 'NotFound', `the server could not find the requested resource (${req.method} ${type.plural}/token)`, {});
  }
  if (subresource === 'log') {
    if (req.method !== 'GET') throw notAllowed(req, path);
    return handleLog(ctx, req, res, namespace, name);
  }
  // Served as upgrades (the HTTP server's 'upgrade' listener); a plain request is answered as Kubernetes does.
  if (subresource === 'exec' || subresource === 'attach' || subresource === 'portforward') {
    req.resume();
    await ctx.cluster.get(type, namespace, name);
    throw badRequest('Upgrade request required');
  }
  const status = subresource === 'status';
  switch (req.method) {
    case 'GET':
      if (!status && (path.watchPrefix || queryBool(req, 'watch'))) return handleWatch(ctx, req, res, type, namespace, name);
      return handleGet(ctx, req, res, type, namespace, name);
    case 'PUT':
      return handleUpdate(ctx, req, res, type, namespace, name, status);
    case 'PATCH':
      return handlePatch(ctx, req, res, type, namespace, name, status);
    case 'DELETE':
      if (status) throw notAllowed(req, path);
      return handleDelete(ctx, req, res, type, namespace, name);
    default:
      throw notAllowed(req, path);
  }
}

/** Routes a resource request by path and method; false when the path is not a resource path. */
export async function handleResourceRequest(ctx: ApiContext, req: Request, res: Response): Promise<boolean> {
  const path = parseApiPath(req.path);
  if (!path) return false;
  // The legacy `/watch/` paths are watches and nothing else: the authorizer gave them the watch verb whatever the method.
  if (path.watchPrefix && req.method !== 'GET') throw notAllowed(req, path);
  // A custom resource is stored in its CRD's storage version and read in the version asked for.
  let served = path.type.crd ? { ...ctx, cluster: servedVersionCluster(ctx.cluster) } : ctx;
  // autoscaling/v1 HorizontalPodAutoscalers are the v2 objects, converted.
  if (path.type === horizontalPodAutoscalersV1) served = { ...ctx, cluster: hpaV1Cluster(ctx.cluster) };
  if (path.name === undefined) await handleCollection(served, req, res, path);
  else await handleItem(served, req, res, path, path.name);
  return true;
}
