import type { Request, Response } from 'express';
import { badRequest } from '../../errors/status-error.js';
import { resources } from '../../resources/registry.js';
import { pdbSelects } from '../../controllers/disruption/disruption-budget.js';
import { decrementedBudget, evictionVerdict } from '../../controllers/disruption/eviction-check.js';
import { decodeBody, isPlainObject } from '../request/decode-object.js';
import { readBody } from '../request/read-body.js';
import { evictionOptionsOf } from '../request/delete-options.js';
import { checkWriteOptions } from '../request/write-options.js';
import type { ApiContext } from './api-context.js';
import { sendJson } from './respond.js';

/** Conflicting writes to the budget are retried this often (EvictionsRetry's steps). */
const RETRIES = 5;

/**
 * POST pods/{name}/eviction (policy/v1 Eviction): deletes the pod when its
 * PodDisruptionBudget allows, taking one disruption from the budget first;
 * 429 TooManyRequests when it does not (what `kubectl drain` retries on).
 */
export async function handleEviction(ctx: ApiContext, req: Request, res: Response, namespace: string | undefined, name: string): Promise<void> {
  checkWriteOptions(req, 'CreateOptions');
  const raw = await readBody(req);
  const body = raw.length ? decodeBody(raw, req.headers['content-type'] ?? 'application/json') : {};
  if (!isPlainObject(body)) throw badRequest('the request body must be an Eviction object');
  const eviction = body as { metadata?: { name?: string }; deleteOptions?: Record<string, unknown> };
  if (eviction.metadata?.name !== undefined && eviction.metadata.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  const deleteOptions = isPlainObject(eviction.deleteOptions) ? eviction.deleteOptions : undefined;
  const { options, dryRun } = evictionOptionsOf(req, deleteOptions);
  for (let attempt = 0; ; attempt++) {
    const pod = await ctx.cluster.get(resources.pods, namespace, name);
    const pdbs = (await ctx.cluster.list(resources.poddisruptionbudgets, { namespace: pod.metadata.namespace })).items.filter((p) => pdbSelects(p, pod));
    const verdict = evictionVerdict(pod, pdbs);
    if (verdict.action === 'decrement') {
      const next = decrementedBudget(verdict.pdb, name, new Date());
      if (!dryRun) {
        try {
          await ctx.cluster.update(resources.poddisruptionbudgets, next, { status: true, fieldManager: 'kube-apiserver' });
        } catch (err: any) {
          if (err?.code === 409 && attempt < RETRIES) continue;
          throw err;
        }
      }
    }
    if (!dryRun) await ctx.cluster.delete(resources.pods, pod.metadata.namespace, name, options);
    sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    return;
  }
}
