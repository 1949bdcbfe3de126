import { planApp } from '../../plan/plan-app.js';
import type { FileTree } from '../../../renderer/index.js';
import { sourceKey, type RendererPort } from '../ports/renderer-port.js';
import type { SourceCache } from '../source-cache.js';

/** The RendererPort over planApp: a full render (no inputs-key skip) from the repository's mirror. */
export function planRenderer({ sources, chartsTree }: { sources: Pick<SourceCache, 'get'>; chartsTree: FileTree }): RendererPort {
  return {
    async render(app, repo, revision) {
      const plan = await planApp({ app, repo: sources.get(repo), commit: revision, chartsTree });
      if (plan.action === 'degraded') return { ok: false, errors: plan.errors };
      if (plan.action !== 'render') throw new Error(`planApp without a previous key answered ${plan.action}`);
      const origins = Object.fromEntries(plan.objects.map((o) => [sourceKey(o.object), o.source]));
      return { ok: true, objects: plan.objects.map((o) => o.object), digest: plan.digest, sources: origins };
    },
  };
}
