import { planApp } from '../../plan/plan-app.js';
import type { PlannedRenders } from '../../plan/planned-renders.js';
import type { FileTree } from '../../../renderer/index.js';
import { sourceKey, type RendererPort } from '../ports/renderer-port.js';
import type { SourceCache } from '../source-cache.js';

export interface PlanRendererDeps {
  sources: Pick<SourceCache, 'get'>;
  chartsTree: FileTree;
  /** The app controller's renders of queued syncs (same process). @defaultValue none: every sync renders */
  planned?: Pick<PlannedRenders, 'take'>;
}

/**
 * The RendererPort over planApp, from the repository's mirror: the plan's render of the
 * same revision when its inputs key still holds (a few Git id lookups), else a full render.
 */
export function planRenderer({ sources, chartsTree, planned }: PlanRendererDeps): RendererPort {
  return {
    async render(app, repo, revision) {
      const kept = planned?.take(app.name, revision);
      const previous = kept && { inputsKey: kept.inputsKey };
      const plan = await planApp({ app, repo: sources.get(repo), commit: revision, chartsTree, ...(previous ? { previous } : {}) });
      if (plan.action === 'degraded') return { ok: false, errors: plan.errors };
      const { objects, digest, dropped } = plan.action === 'skip' ? kept! : plan;
      const origins = Object.fromEntries(objects.map((o) => [sourceKey(o.object), o.source]));
      return { ok: true, objects: objects.map((o) => o.object), digest, sources: origins, ...(dropped ? { dropped } : {}) };
    },
  };
}
