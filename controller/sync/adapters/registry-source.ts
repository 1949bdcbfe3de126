import type { PreviewStore } from '../../previews/preview-store.js';
import type { SourcePort } from '../ports/source-port.js';
import { readAppConfig } from '../../apps/read-app-config.js';
import type { SourceCache } from '../source-cache.js';
import type { SyncRegistry } from '../../state/sync-registry.js';

export interface RegistrySourceOptions {
  registry: Pick<SyncRegistry, 'repositoryOf' | 'repository'>;
  sources: Pick<SourceCache, 'get'>;
  /** Open previews. @defaultValue none: every preview counts as closed */
  previews?: Pick<PreviewStore, 'get'>;
}

/** The SourcePort over the controller's registry (Redis), the repository mirrors and the preview store. */
export function registrySource({ registry, sources, previews }: RegistrySourceOptions): SourcePort {
  return {
    async repositoryOf(app) {
      const id = await registry.repositoryOf(app);
      return id === undefined ? undefined : registry.repository(id);
    },
    repository: (id) => registry.repository(id),
    preview: async (number) => previews?.get(number),
    resolveRef: (repo, ref) => sources.get(repo).resolveRef(ref),
    appConfig: (repo, revision) => readAppConfig(sources.get(repo).tree(revision), repo.id),
  };
}
