import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImageStore, type OpenedImageStore } from '../../runtime/images/index.js';
import { parseRegistriesConfig } from '../../runtime/images/registries-config.js';

/** Image stores in fresh temp dirs that never fall back to a public registry; `closeAll()` closes and removes them. */
export function tempStores(): { store(registriesYaml?: string): OpenedImageStore; closeAll(): Promise<void> } {
  const dirs: string[] = [];
  const stores: OpenedImageStore[] = [];
  return {
    store(registriesYaml) {
      const dir = mkdtempSync(join(tmpdir(), 'baton-images-'));
      dirs.push(dir);
      const s = openImageStore({ dir, registries: registriesYaml ? parseRegistriesConfig(registriesYaml) : undefined, disableDefaultEndpoint: true });
      stores.push(s);
      return s;
    },
    async closeAll() {
      await Promise.all(stores.map((s) => s.close()));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}
