import type { AppSpec } from './app-spec.js';
import { parseBatonYaml } from './parse-baton-yaml.js';
import type { PreviewSettings } from './preview-settings.js';
import type { FileTree, RenderError } from '../../renderer/index.js';
import { decodeUtf8 } from '../../renderer/index.js';

export const BATON_YAML = 'baton.yaml';

/** The apps a repository declares at one commit, or the `file:line:col` messages saying why they cannot be read. */
export type AppConfig = { ok: true; apps: AppSpec[]; previews: PreviewSettings } | { ok: false; errors: string[] };

/**
 * Reads `baton.yaml` at the root of `tree`. Any mistake in it stops every app
 * of the repository from syncing (they keep running as they are): a half-read
 * file could drop an app whose entry merely has a typo.
 */
export async function readAppConfig(tree: FileTree, repository: string): Promise<AppConfig> {
  const text = await tree.read(BATON_YAML);
  if (text === undefined) return { ok: false, errors: [`${BATON_YAML}:1:1: the repository has no ${BATON_YAML} at its root`] };
  // Most commits leave baton.yaml as it was: the same bytes are parsed once (a 1,000-app file takes ~100 ms).
  const cached = parsed.get(repository);
  if (cached?.text.equals(text)) return cached.config;
  const config = parseAppConfig(text, repository);
  parsed.delete(repository);
  parsed.set(repository, { text, config });
  if (parsed.size > MAX_PARSED) parsed.delete(parsed.keys().next().value as string);
  return config;
}

/** The last baton.yaml parsed per repository id; callers never modify what it returns (specs are read-only). */
const parsed = new Map<string, { text: Buffer; config: AppConfig }>();
const MAX_PARSED = 64;

function parseAppConfig(text: Buffer, repository: string): AppConfig {
  const encoding: RenderError[] = [];
  const source = decodeUtf8(text, BATON_YAML, encoding);
  if (source === undefined) return { ok: false, errors: encoding.map((e) => e.format()) };
  const { apps, previews, errors } = parseBatonYaml(source, BATON_YAML, repository);
  if (errors.length > 0) return { ok: false, errors: errors.map((e) => e.format()) };
  return { ok: true, apps, previews };
}
