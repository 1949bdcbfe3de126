import type { PreviewSettings } from '../apps/preview-settings.js';
import type { WebhookPullRequest } from '../edges/webhooks/webhook-event.js';

/**
 * Whether a request's code may deploy as a preview, and if not, what would let
 * it. `byLabel`: only the maintainer's label lets it through, so it deploys
 * only the head the label was given for (preview-approval.ts).
 */
export type PreviewGateDecision = { deploy: true; byLabel: boolean } | { deploy: false; reason: string };

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
  const unlabelled = withoutLabel(settings, pr);
  if (unlabelled === undefined) return { deploy: true, byLabel: false };
  return labelled ? { deploy: true, byLabel: true } : { deploy: false, reason: unlabelled };
}

/** Why the request may not deploy without the label; undefined when the rule lets it through anyway. */
function withoutLabel(settings: PreviewSettings, pr: Pick<WebhookPullRequest, 'fromFork' | 'fromCollaborator'>): string | undefined {
  const label = settings.forkLabel;
  if (pr.fromFork && !settings.forks) return `comes from a fork: not deployed until a maintainer adds the label "${label}" (or baton.yaml sets previews.forks: true)`;
  switch (settings.require ?? 'none') {
    case 'none':
      return undefined;
    case 'label':
      return `baton.yaml sets previews.require: label: not deployed until a maintainer adds the label "${label}"`;
    case 'collaborator':
      return pr.fromCollaborator ? undefined : `baton.yaml sets previews.require: collaborator: the author cannot push to the repository; not deployed until a maintainer adds the label "${label}"`;
  }
}
