import { ConfigError } from './config-error.js';
import { closestName, type FieldPath } from './field-path.js';

/**
 * The repository's own say on previews (`previews:` at the top of
 * `baton.yaml`). baton reads it at the followed branch's newest commit, never
 * at a request's head: a request cannot grant itself a preview.
 */
export interface PreviewSettings {
  /** Deploy previews of requests from forks without a maintainer's label. @defaultValue false */
  forks: boolean;
  /** A maintainer adding this label to a request lets its preview deploy (forks, and `require: label | collaborator`). @defaultValue 'preview' */
  forkLabel: string;
  /**
   * What a request needs before its code deploys, forks or not: `none`, the
   * maintainer's label (`label`), or an author with push rights or the label
   * (`collaborator`: GitHub's author_association OWNER, MEMBER or COLLABORATOR;
   * on GitLab a merge request from the project itself). Forks also pass the fork gate.
   * @defaultValue undefined: as `none` (forks still need `forks: true` or the label)
   */
  require?: PreviewRequirement;
}

export const PREVIEW_REQUIREMENTS = ['label', 'collaborator', 'none'] as const;
export type PreviewRequirement = (typeof PREVIEW_REQUIREMENTS)[number];

export const DEFAULT_PREVIEW_SETTINGS: PreviewSettings = Object.freeze({ forks: false, forkLabel: 'preview' });

type Where = (path: FieldPath, at: 'key' | 'value') => { file: string; line: number; col: number };

const FIELDS = ['forks', 'forkLabel', 'require'];

/** `previews:` with defaults filled in; each mistake is pushed to `errors` at its position. */
export function parsePreviewSettings(value: unknown, where: Where, errors: ConfigError[]): PreviewSettings {
  if (value === undefined || value === null) return DEFAULT_PREVIEW_SETTINGS;
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.push(ConfigError.at('INVALID_VALUE', where(['previews'], 'value'), 'previews', 'must be a map, e.g. { forks: false, forkLabel: preview }'));
    return DEFAULT_PREVIEW_SETTINGS;
  }
  const out = { ...DEFAULT_PREVIEW_SETTINGS };
  for (const [key, v] of Object.entries(value)) {
    const path = `previews.${key}`;
    if (key === 'forks') {
      if (typeof v === 'boolean') out.forks = v;
      else errors.push(ConfigError.at('INVALID_VALUE', where(['previews', key], 'value'), path, 'must be true or false'));
    } else if (key === 'forkLabel') {
      if (typeof v === 'string' && v.trim() !== '') out.forkLabel = v.trim();
      else errors.push(ConfigError.at('INVALID_VALUE', where(['previews', key], 'value'), path, 'must be a label name'));
    } else if (key === 'require') {
      if (typeof v === 'string' && (PREVIEW_REQUIREMENTS as readonly string[]).includes(v)) out.require = v as PreviewRequirement;
      else errors.push(ConfigError.at('INVALID_VALUE', where(['previews', key], 'value'), path, `must be one of ${PREVIEW_REQUIREMENTS.join(', ')}`));
    } else {
      const hint = closestName(key, FIELDS);
      errors.push(ConfigError.at('UNKNOWN_FIELD', where(['previews', key], 'key'), path, `unknown field${hint ? ` (did you mean "${hint}"?)` : `; previews takes ${FIELDS.join(', ')}`}`, { field: key }));
    }
  }
  return out;
}
