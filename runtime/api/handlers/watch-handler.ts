import type { Request, Response } from 'express';
import { badRequest, StatusError } from '../../errors/status-error.js';
import type { WatchEvent } from '../../kube/object.js';
import type { ResourceType } from '../../resources/registry.js';
import { parseFieldSelector, parseLabelSelector } from '../../store/index.js';
import { wantsMetadataOnly, wantsTable } from '../request/media-type.js';
import { queryBool, queryInt, queryString } from '../request/query-options.js';
import { toTable } from '../printing/to-table.js';
import { customColumnsOf } from '../extension/printer-columns.js';
import { toStatusError } from '../send-status.js';
import type { ApiContext } from './api-context.js';
import { includeObjectOf, partialMetadata } from './respond.js';

/**
 * A chunked stream of `{"type":…,"object":…}` lines. A too-old
 * resourceVersion is answered as Kubernetes does: 200, then one ERROR event
 * carrying a 410 Expired Status, then the end of the stream.
 */
export async function handleWatch(ctx: ApiContext, req: Request, res: Response, type: ResourceType, namespace: string | undefined, name?: string): Promise<void> {
  let fieldSelector = queryString(req, 'fieldSelector');
  const labelSelector = queryString(req, 'labelSelector');
  // A bad selector is a plain 400, before the stream starts.
  parseLabelSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector);
  // A watch of one object (ListResource with a name): the selector is its name, or must require exactly that name.
  if (name !== undefined) {
    if (fields.requirements.length === 0) fieldSelector = `metadata.name=${name.replace(/[\\,=]/g, '\\$&')}`;
    else if (fields.requirements.find((r) => r.field === 'metadata.name' && r.operator === '=')?.value !== name) throw badRequest("fieldSelector metadata.name doesn't match requested name");
  }
  const table = wantsTable(req.headers.accept);
  const metadataOnly = !table && wantsMetadataOnly(req.headers.accept);
  const includeObject = includeObjectOf(req);
  let first = true;
  let ended = false;

  res.status(200);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.setHeader('Transfer-Encoding', 'chunked');
  res.flushHeaders();

  const write = (event: WatchEvent | { type: 'ERROR'; object: Record<string, unknown> }) => {
    if (ended) return;
    try {
      let object: unknown = event.object;
      if (table && event.type !== 'ERROR' && event.type !== 'BOOKMARK') {
        object = toTable(type.kind, [event.object as WatchEvent['object']], { columns: customColumnsOf(type), includeObject, withColumns: first, resourceVersion: event.object.metadata?.resourceVersion as string });
        first = false;
      } else if (metadataOnly && event.type !== 'ERROR') {
        object = partialMetadata(event.object as WatchEvent['object']);
      }
      res.write(`${JSON.stringify({ type: event.type, object })}\n`);
    } catch {
      // Never let one broken stream disturb the store's delivery to other watchers; the client re-lists.
      finish();
    }
  };

  let stop: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined = undefined;
  const finish = () => {
    if (ended) return;
    ended = true;
    stop?.();
    if (timer) clearTimeout(timer);
    res.end();
  };
  req.on('close', finish);
  res.on('close', finish);

  try {
    stop = await ctx.cluster.watch(
      type,
      {
        namespace,
        labelSelector,
        fieldSelector,
        resourceVersion: queryString(req, 'resourceVersion') || undefined,
        allowWatchBookmarks: queryBool(req, 'allowWatchBookmarks'),
      },
      write,
    );
  } catch (err) {
    const status = toStatusError(err);
    const shaped = status.code === 410 ? new StatusError(410, 'Expired', status.message) : status;
    write({ type: 'ERROR', object: shaped.toStatus() });
    finish();
    return;
  }
  if (ended) {
    stop();
    return;
  }
  const timeout = queryInt(req, 'timeoutSeconds');
  // Kubernetes ends every watch after a while (30–60 min) so clients re-list now and then.
  const seconds = timeout !== undefined && timeout > 0 ? timeout : 1800 + Math.floor(Math.random() * 1800);
  timer = setTimeout(finish, seconds * 1000);
}
