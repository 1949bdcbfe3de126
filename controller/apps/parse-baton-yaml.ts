import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { AppSpec } from './app-spec.js';
import { checkAppSet, type DeclaredApp } from './check-app-set.js';
import { ConfigError } from './config-error.js';
import { closestName, type FieldPath, type Position } from './field-path.js';
import { validateApp } from './validate-app.js';
import { DEFAULT_PREVIEW_SETTINGS, parsePreviewSettings, type PreviewSettings } from './preview-settings.js';

const topLevelFields = ['apps', 'previews'];

/**
 * Reads a repository's `baton.yaml`: its apps with every default filled in,
 * and every mistake found, each at `file:line:col` with the field's path.
 * Apps with a mistake of their own are left out of `apps`; the others are
 * returned so a caller can choose to go on with them.
 */
export function parseBatonYaml(text: string, file: string, repository: string): { apps: AppSpec[]; previews: PreviewSettings; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const p = lc.linePos(e.pos[0]);
      const message = e.code === 'MULTIPLE_DOCS' ? `${file} holds one YAML document; remove the second "---"` : e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      errors.push(ConfigError.at('YAML_SYNTAX', { file, ...p }, '', message, { yamlCode: e.code }));
    }
    return { apps: [], previews: DEFAULT_PREVIEW_SETTINGS, errors };
  }
  const locate = (path: FieldPath, at: 'key' | 'value'): Position => locateNode(doc, lc, path, at);
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    errors.push(ConfigError.at('YAML_SYNTAX', { file, line: 1, col: 1 }, '', (err as Error).message));
    return { apps: [], previews: DEFAULT_PREVIEW_SETTINGS, errors };
  }
  const where = (path: FieldPath, at: 'key' | 'value') => ({ file, ...locate(path, at) });
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    errors.push(ConfigError.at('INVALID_VALUE', where([], 'value'), '', 'must be a map with an `apps` list'));
    return { apps: [], previews: DEFAULT_PREVIEW_SETTINGS, errors };
  }
  for (const key of Object.keys(root)) {
    if (topLevelFields.includes(key)) continue;
    const hint = closestName(key, topLevelFields);
    errors.push(ConfigError.at('UNKNOWN_FIELD', where([key], 'key'), key, `unknown field${hint ? ` (did you mean "${hint}"?)` : '; a baton.yaml holds an `apps` list'}`, { field: key }));
  }
  const items = (root as { apps?: unknown }).apps;
  if (items === undefined) {
    errors.push(ConfigError.at('MISSING_FIELD', where([], 'value'), 'apps', 'is required: a list of applications'));
    return { apps: [], previews: DEFAULT_PREVIEW_SETTINGS, errors };
  }
  if (!Array.isArray(items)) {
    errors.push(ConfigError.at('INVALID_VALUE', where(['apps'], 'value'), 'apps', 'must be a list of applications'));
    return { apps: [], previews: DEFAULT_PREVIEW_SETTINGS, errors };
  }
  const declared: DeclaredApp[] = [];
  const invalidNames = new Set<string>();
  items.forEach((item, i) => {
    const site = { file, prefix: ['apps', i], locate: (path: FieldPath, at: 'key' | 'value') => locate(['apps', i, ...path], at) };
    const app = validateApp(item, site, repository, errors);
    if (app) declared.push({ app, site });
    else if (typeof (item as { name?: unknown } | null)?.name === 'string') invalidNames.add((item as { name: string }).name);
  });
  const apps = checkAppSet(declared, errors, invalidNames);
  const previews = parsePreviewSettings((root as { previews?: unknown }).previews, where, errors);
  errors.sort((a, b) => a.data.line - b.data.line || a.data.col - b.data.col);
  return { apps, previews, errors };
}

/**
 * Position of the key or value at `path`; where the path stops existing,
 * the position of the last node that does (a missing field is reported on
 * the map that should hold it).
 */
function locateNode(doc: Document, lc: LineCounter, path: FieldPath, at: 'key' | 'value'): Position {
  const pos = (offset: number | undefined) => lc.linePos(offset ?? 0);
  let node = resolve(doc, doc.contents as Node | null);
  let best = pos(node?.range?.[0]);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return best;
      const keyPos = pos((pair.key as Node).range?.[0]);
      const value = resolve(doc, pair.value as Node | null);
      // `rollout:` with nothing after it: the key is the place to point at.
      if ((last && at === 'key') || !value || (isScalar(value) && value.value === null && value.range?.[0] === value.range?.[1])) return keyPos;
      node = value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
      node = resolve(doc, node.items[seg] as Node);
    } else return best;
    best = pos(node?.range?.[0]);
  }
  return best;
}

function resolve(doc: Document, node: Node | null | undefined): Node | undefined {
  if (!node) return undefined;
  return isAlias(node) ? (node.resolve(doc) as Node | undefined) : node;
}
