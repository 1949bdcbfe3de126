import { StatusError } from '../../errors/status-error.js';
import type { KubeObject } from '../../objects/types.js';
import * as patch from '../../patch/index.js';

type RecordUpdate = (old: KubeObject | undefined, updated: KubeObject, manager: string) => KubeObject;
type ServerSideApply = (args: { live: KubeObject | undefined; applied: KubeObject; manager: string; force: boolean }) => KubeObject;

const api = patch as unknown as { recordUpdate?: RecordUpdate; serverSideApply?: ServerSideApply };

/** managedFields bookkeeping for a non-apply write (create, update, merge/JSON/strategic patch). */
export function recordUpdate(old: KubeObject | undefined, updated: KubeObject, manager: string): KubeObject {
  return api.recordUpdate ? api.recordUpdate(old, updated, manager) : updated;
}

/** Server-side apply of `applied` by `manager` over `live` (absent: the object is created). */
export function serverSideApply(args: { live: KubeObject | undefined; applied: KubeObject; manager: string; force: boolean }): KubeObject {
  if (!api.serverSideApply) throw new StatusError(415, 'UnsupportedMediaType', 'server-side apply (application/apply-patch+yaml) is not available in this build yet');
  return api.serverSideApply(args);
}
