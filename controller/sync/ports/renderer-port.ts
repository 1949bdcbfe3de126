import type { AppSpec, RepositorySpec } from '../../apps/app-spec.js';
import type { KubeObject } from '../../../runtime/kube/object.js';

/** An app rendered at one commit: all its objects, or why none may be applied (invariant 1). */
export type Rendered = { ok: true; objects: KubeObject[]; digest: string } | { ok: false; errors: string[] };

export interface RendererPort {
  /** Renders `app` from `repo` at `revision`; Git read errors are thrown (retried), render errors answered. */
  render(app: AppSpec, repo: RepositorySpec, revision: string): Promise<Rendered>;
}
