import { previewNamespace } from '../apps/preview-names.js';
import { readAppConfig } from '../apps/read-app-config.js';
import { pruneObjects } from '../apply/prune-objects.js';
import type { WebhookEvent, WebhookPullRequest } from '../edges/webhooks/webhook-event.js';
import type { AppOrigin } from '../state/app-status.js';
import { shortRevision } from '../../runtime/kube/revision.js';
import { admitPreviewRequest } from './admit-preview-request.js';
import { ignoredDecision, type PreviewDecision } from './preview-decision.js';
import type { PreviewDeps } from './preview-deps.js';
import type { PreviewRecord } from './preview-record.js';
import { previewAppSpec } from './preview-spec.js';
import { preparePreviewNamespace } from './prepare-preview-namespace.js';
import { removePreview } from './remove-preview.js';

/**
 * An opened, reopened, updated or labelled request: once admitted, every
 * preview-enabled app of the deployed head is recorded, its namespace and
 * bridges made, and each app queued for its sync.
 */
export async function deployPreview(deps: PreviewDeps, maxPreviews: number, event: WebhookEvent, pr: WebhookPullRequest): Promise<PreviewDecision> {
  const admitted = await admitPreviewRequest(deps, event, pr);
  if ('ignored' in admitted) return admitted.ignored;
  const { repoId, source, followed, known, head, approval } = admitted;
  const config = await readAppConfig(source.tree(head), repoId);
  if (!config.ok) return ignoredDecision(deps.log, pr.number, `baton.yaml at ${shortRevision(head)} has errors; no preview:\n${config.errors.join('\n')}`);
  const enabled = config.apps.filter((a) => a.preview.enabled);
  if (enabled.length === 0) return ignoredDecision(deps.log, pr.number, `no app has preview.enabled at ${shortRevision(head)}`);
  const previewed = new Set(enabled.map((a) => a.name));
  const declared = (name: string) => (followed.ok ? followed.apps.find((a) => a.name === name) : undefined);
  const specs = enabled.map((a) => previewAppSpec(a, { number: pr.number, branch: pr.headRef, sha: head }, previewed, declared(a.name)));

  const now = new Date().toISOString();
  const record: PreviewRecord = {
    number: pr.number,
    repository: repoId,
    provider: event.provider,
    ...(event.repoPath ? { repoPath: event.repoPath } : {}),
    title: pr.title,
    author: pr.author,
    branch: pr.headRef,
    headFetchRef: pr.headFetchRef,
    headSha: head,
    requestUrl: pr.url,
    fromFork: pr.fromFork,
    labels: pr.labels,
    ...(approval ? { approval } : {}),
    apps: specs.map((s) => s.name),
    openedAt: known?.openedAt ?? now,
    updatedAt: now,
  };
  await makeRoom(deps, maxPreviews, pr.number);
  await deps.store.put(record);
  for (const gone of (known?.apps ?? []).filter((name) => !record.apps.includes(name))) await forgetApp(deps, gone, pr.number);
  await preparePreviewNamespace(deps, record.number, specs);
  for (const [i, spec] of specs.entries()) {
    // The origin is recorded with the app: the sync, the API and commit statuses read it, never the name.
    const origin: AppOrigin = { kind: 'preview', number: pr.number, app: enabled[i].name };
    await deps.state.ensureApp({ ...spec, origin });
    await deps.queue.enqueue({ app: spec.name, revision: head, trigger: 'webhook', message: `pull request #${pr.number} at ${shortRevision(head)}` });
  }
  deps.log(`#${pr.number}: preview of ${enabled.map((a) => a.name).join(', ')} at ${shortRevision(head)} queued into namespace ${previewNamespace(pr.number)}`);
  return { action: 'deployed', number: pr.number, apps: record.apps };
}

/** Opening a preview beyond the cap removes the longest idle ones first. */
async function makeRoom(deps: PreviewDeps, maxPreviews: number, number: number): Promise<void> {
  const others = (await deps.store.list()).filter((r) => r.number !== number);
  for (const record of others.slice(0, Math.max(0, others.length - (maxPreviews - 1)))) {
    await removePreview(deps, record.number, `more than ${maxPreviews} previews would be open`);
  }
}

/** An app whose preview was turned off at the new head: its objects are pruned and its state forgotten. */
async function forgetApp(deps: PreviewDeps, name: string, number: number): Promise<void> {
  deps.log(`no longer has preview.enabled at the request's head; removing it`, { app: name });
  const status = await deps.state.getApp(name);
  await deps.state.deleteApp(name);
  if (status) await pruneObjects({ target: deps.clusters.get(status.cluster), app: name, keep: [], namespaces: [previewNamespace(number)] });
}
