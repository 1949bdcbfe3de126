import type { Request, Response } from 'express';
import { badRequest, StatusError, type StatusCause } from '../../errors/status-error.js';
import { resources } from '../../resources/registry.js';
import { queryBool, queryInt, queryString } from '../request/query-options.js';
import { forbidden, invalidValue } from '../validation/field-error.js';
import type { ApiContext, PodLogOptions } from './api-context.js';

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
    ...logWindowOf(req, name),
  });
  res.status(200).type('text/plain');
  req.on('close', () => stream.destroy());
  stream.pipe(res);
}

/** tailLines, limitBytes and the since window (sinceTime as seconds before now), checked as ValidatePodLogOptions does (422). */
function logWindowOf(req: Request, name: string): Pick<PodLogOptions, 'tailLines' | 'sinceSeconds' | 'limitBytes'> {
  const tailLines = queryInt(req, 'tailLines');
  const limitBytes = queryInt(req, 'limitBytes');
  let sinceSeconds = queryInt(req, 'sinceSeconds');
  const sinceTime = queryString(req, 'sinceTime');
  const causes: StatusCause[] = [];
  if (tailLines !== undefined && tailLines < 0) causes.push(invalidValue('tailLines', tailLines, 'must be greater than or equal to 0'));
  if (limitBytes !== undefined && limitBytes < 1) causes.push(invalidValue('limitBytes', limitBytes, 'must be greater than 0'));
  if (sinceSeconds !== undefined && sinceTime) causes.push(forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  else if (sinceSeconds !== undefined && sinceSeconds < 1) causes.push(invalidValue('sinceSeconds', sinceSeconds, 'must be greater than 0'));
  else if (sinceTime) {
    const at = Date.parse(sinceTime);
    if (Number.isNaN(at)) throw badRequest(`invalid value for query parameter sinceTime: ${JSON.stringify(sinceTime)} is not an RFC 3339 time`);
    sinceSeconds = (Date.now() - at) / 1000;
  }
  if (causes.length) {
    const list = causes.map((c) => `${c.field}: ${c.message}`);
    throw new StatusError(422, 'Invalid', `PodLogOptions "${name}" is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`, { name, kind: 'PodLogOptions', causes });
  }
  return { tailLines, limitBytes, sinceSeconds };
}
