import type { AppSpec, RepositorySpec } from '../../apps/app-spec.js';
import type { KubeObject } from '../../../runtime/kube/object.js';
import type { DroppedObject } from '../../plan/preview-transform.js';

/**
 * An app rendered at one commit: all its objects (and where each came from, by `sourceKey`; for a
 * preview, what it left out of `pr-N` and why), or why none may be applied (invariant 1).
 */
export type Rendered = { ok: true; objects: KubeObject[]; digest: string; sources?: ObjectSources; dropped?: readonly DroppedObject[] } | { ok: false; errors: string[] };

/** The file and line each rendered object starts at, by `sourceKey(object)`, for messages that name it. */
export type ObjectSources = Readonly<Record<string, { file: string; line: number }>>;

/** How `ObjectSources` finds an object: kind, namespace and name (or a hook's generateName). */
export function sourceKey(object: KubeObject): string {
  return `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name ?? object.metadata.generateName ?? ''}`;
}

export interface RendererPort {
  /** Renders `app` from `repo` at `revision`; Git read errors are thrown (retried), render errors answered. */
  render(app: AppSpec, repo: RepositorySpec, revision: string): Promise<Rendered>;
}
