import type { Request, Response } from 'express';
import { StatusError } from '../../errors/status-error.js';
import { resources } from '../../resources/registry.js';
import { queryBool, queryInt, queryString } from '../request/query-options.js';
import type { ApiContext } from './api-context.js';

/** `pods/{name}/log`: streamed from the pod supervisor's log reader, when one is wired in. */
export async function handleLog(ctx: ApiContext, req: Request, res: Response, namespace: string | undefined, name: string): Promise<void> {
  const pod = await ctx.cluster.get(resources.pods, namespace, name);
  const containers = ((pod.spec?.containers ?? []) as Array<{ name: string }>).map((c) => c.name);
  const container = queryString(req, 'container') ?? (containers.length === 1 ? containers[0] : undefined);
  if (container === undefined && containers.length > 1) {
    throw new StatusError(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
  }
  if (container !== undefined && !containers.includes(container)) {
    throw new StatusError(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
  }
  if (!ctx.logs) {
    throw new StatusError(404, 'NotFound', `logs of pod "${name}" are not available: this runtime runs no pods yet, so container "${container}" has no log`, {
      name,
      kind: 'pods',
    });
  }
  const stream = await ctx.logs(pod, {
    container,
    follow: queryBool(req, 'follow'),
    previous: queryBool(req, 'previous'),
    timestamps: queryBool(req, 'timestamps'),
    tailLines: queryInt(req, 'tailLines'),
    sinceSeconds: queryInt(req, 'sinceSeconds'),
    limitBytes: queryInt(req, 'limitBytes'),
  });
  res.status(200).type('text/plain');
  req.on('close', () => stream.destroy());
  stream.pipe(res);
}
