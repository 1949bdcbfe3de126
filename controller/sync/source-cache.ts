import { RepositorySource } from '../source/repository.js';
import type { RepositorySpec } from '../apps/app-spec.js';

/**
 * RepositorySources for reading commits in a worker: the controller's own
 * (when the worker shares its process) or one per repository opened on the
 * same state dir, whose mirror the controller keeps fetched.
 */
export class SourceCache {
  private readonly sources = new Map<string, RepositorySource>();

  constructor(
    private readonly stateDir: string,
    private readonly shared?: (id: string) => RepositorySource | undefined,
  ) {}

  get(spec: RepositorySpec): RepositorySource {
    const shared = this.shared?.(spec.id);
    if (shared) return shared;
    let source = this.sources.get(spec.id);
    if (!source || source.spec.url !== spec.url || source.spec.branch !== spec.branch) {
      source = new RepositorySource(spec, { stateDir: this.stateDir });
      this.sources.set(spec.id, source);
    }
    return source;
  }
}
