import type { PreviewSettings } from '../apps/preview-settings.js';
import type { WebhookPullRequest } from '../edges/webhooks/webhook-event.js';

/** Whether a request's code may deploy as a preview, and if not, what would let it. */
export type PreviewGateDecision = { deploy: true } | { deploy: false; reason: string };

/**
 * The repository's rule (settings read on the followed branch, never at the
 * request's head) applied to one request. A fork needs `forks: true` or the
 * maintainer's label, as before; then `require` applies to every request:
 * `none` (the default), `label`, or `collaborator` (an author with push
 * rights, or the label).
 */
export function previewGate(settings: PreviewSettings, pr: Pick<WebhookPullRequest, 'fromFork' | 'fromCollaborator' | 'labels'>): PreviewGateDecision {
  const label = settings.forkLabel;
  const labelled = pr.labels.includes(label);
  if (pr.fromFork && !settings.forks && !labelled) {
    return { deploy: false, reason: `comes from a fork: not deployed until a maintainer adds the label "${label}" (or baton.yaml sets previews.forks: true)` };
  }
  switch (settings.require ?? 'none') {
    case 'none':
      return { deploy: true };
    case 'label':
      return labelled ? { deploy: true } : { deploy: false, reason: `baton.yaml sets previews.require: label: not deployed until a maintainer adds the label "${label}"` };
    case 'collaborator':
      return pr.fromCollaborator || labelled
        ? { deploy: true }
        : { deploy: false, reason: `baton.yaml sets previews.require: collaborator: the author cannot push to the repository; not deployed until a maintainer adds the label "${label}"` };
  }
}
