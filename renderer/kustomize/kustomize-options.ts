/** Names kustomize looks for in a directory, in its order. */
export const kustomizationNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** One entry of Argo CD's `source.kustomize.patches`: a kustomize patch, inline or from a file. */
export interface KustomizePatch {
  /** A strategic-merge or JSON 6902 patch, inline. Give this or `path`. */
  patch?: string;
  /** A file holding the patch, relative to the app's path. */
  path?: string;
  /** Which objects it applies to (`group`, `version`, `kind`, `name`, `namespace`, `labelSelector`, `annotationSelector`). @defaultValue the objects the patch names */
  target?: Record<string, string>;
  /** kustomize's patch options (`allowNameChange`, `allowKindChange`). @defaultValue {} */
  options?: Record<string, boolean>;
}

/**
 * Argo CD's `source.kustomize`: applied over the app's kustomization through
 * a generated one that lists it as a resource, as `kustomize edit` would.
 */
export interface KustomizeOptions {
  /** `kustomize edit set image` forms: `nginx:1.25`, `nginx=registry.example/nginx:1.25`, `nginx@sha256:…`. @defaultValue [] */
  images?: string[];
  /** @defaultValue none */
  namePrefix?: string;
  /** @defaultValue none */
  nameSuffix?: string;
  /** Labels added to every object and selector. @defaultValue {} */
  commonLabels?: Record<string, string>;
  /** @defaultValue [] */
  patches?: KustomizePatch[];
}

/** A kustomize `images:` entry from the `kustomize edit set image` syntax. */
export function parseImageOverride(spec: string): { name: string; newName?: string; newTag?: string; digest?: string } {
  const eq = spec.indexOf('=');
  let rest = eq >= 0 ? spec.slice(eq + 1) : spec;
  let digest: string | undefined;
  let newTag: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    newTag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const name = eq >= 0 ? spec.slice(0, eq) : rest;
  return { name, ...(eq >= 0 ? { newName: rest } : {}), ...(newTag !== undefined ? { newTag } : {}), ...(digest !== undefined ? { digest } : {}) };
}
