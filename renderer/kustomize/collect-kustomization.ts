import { RenderError } from '../errors/render-error.js';
import type { TreeReader } from '../tree/load-dir.js';
import { decodeUtf8 } from '../tree/decode-utf8.js';
import { isWithin, joinTreePath, resolveLinkTarget } from '../tree/tree-path.js';
import { parseDocuments, type ParsedDocument } from '../yaml/parse-documents.js';
import { kustomizationNames } from './kustomize-options.js';

/** Fields whose entries kustomize may fetch over the network when they are not local paths. */
const baseFields = ['resources', 'bases', 'components'] as const;
const remote = /^(?:[a-z][a-z0-9+.-]*:\/\/|git::|git@|(?:github\.com|gitlab\.com|bitbucket\.org)\/)|[?&]ref=|\.git(?:\/\/|$)/i;
const hostLike = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?$/i;

/** The kustomization file of a directory, if it has one. */
export async function findKustomization(reader: TreeReader, dir: string): Promise<string | undefined> {
  for (const name of kustomizationNames) {
    const file = joinTreePath(dir, name);
    if ((await reader.resolve(file))?.type === 'file') return file;
  }
  return undefined;
}

/**
 * Every file the kustomization at `dir` can reach, by tree path: its
 * directory, and the bases, components and files its kustomizations name
 * (followed from kustomization to kustomization). Remote bases are refused
 * here, before kustomize could fetch them; so are paths that leave the tree.
 */
export async function collectKustomization(reader: TreeReader, dir: string, errors: RenderError[]): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const loaded: string[] = [];
  const parsed = new Set<string>();
  const queue = [dir];
  const load = async (d: string) => {
    if (loaded.some((l) => isWithin(d, l))) return;
    for (const [k, v] of await reader.loadDir(d, errors)) files.set(k, v);
    loaded.push(d);
  };
  const take = async (target: string): Promise<'dir' | 'file' | undefined> => {
    const r = await reader.resolve(target);
    if (r?.type === 'dir') queue.push(target);
    else if (r?.type === 'file' && !files.has(target)) {
      const buf = await reader.readFile(target);
      if (buf) files.set(target, buf);
    }
    return r?.type;
  };
  while (queue.length > 0) {
    const d = queue.shift()!;
    if (parsed.has(d)) continue;
    parsed.add(d);
    await load(d);
    const file = kustomizationNames.map((n) => joinTreePath(d, n)).find((f) => files.has(f));
    if (!file) continue;
    const text = decodeUtf8(files.get(file)!, file, errors);
    const doc = text === undefined ? undefined : parseDocuments(text, file, errors)[0];
    if (!doc || typeof doc.value !== 'object' || doc.value === null) continue;
    const k = doc.value as Record<string, unknown>;
    for (const field of baseFields) {
      const entries = Array.isArray(k[field]) ? (k[field] as unknown[]) : [];
      for (const [i, entry] of entries.entries()) {
        if (typeof entry !== 'string') continue;
        const at = doc.locate([field, i]);
        const fail = (message: string) => errors.push(RenderError.at('KUSTOMIZE', file, at.line, at.col, `${field}[${i}]: ${message}`));
        if (remote.test(entry)) {
          fail(`"${entry}" is a remote base; baton builds Kustomize from the repository alone: vendor it into the repository and refer to it by a relative path`);
          continue;
        }
        const target = resolveLinkTarget(file, entry);
        if (target === undefined) {
          fail(`"${entry}" leaves the repository`);
          continue;
        }
        if ((await take(target)) !== undefined) continue;
        if (hostLike.test(entry.split('/')[0])) fail(`"${entry}" is a remote base; baton builds Kustomize from the repository alone: vendor it into the repository and refer to it by a relative path`);
        else fail(`"${entry}" not found in the repository`);
      }
    }
    for (const { at, entry } of fileLoads(k)) {
      if (!remote.test(entry) && !remote.test(entry.slice(entry.indexOf('=') + 1))) continue;
      const p = doc.locate(at);
      errors.push(
        RenderError.at('KUSTOMIZE', file, p.line, p.col, `${formatPath(at)}: "${entry}" is fetched from the network by kustomize; baton builds Kustomize from the repository alone: put the file in the repository and refer to it by a relative path`),
      );
    }
    await takeMentionedPaths(doc, file, take, baseFields);
  }
  return files;
}

/**
 * Fields besides the bases that kustomize reads through its loader, which
 * fetches an http(s) URL as readily as a file (kustomize api/internal/loader):
 * each single-line string there, with the path in the kustomization it sits at.
 */
function fileLoads(k: Record<string, unknown>): { at: (string | number)[]; entry: string }[] {
  const out: { at: (string | number)[]; entry: string }[] = [];
  const add = (at: (string | number)[], v: unknown) => {
    if (typeof v === 'string' && !v.includes('\n')) out.push({ at, entry: v });
  };
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const field = (v: unknown, name: string): unknown => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[name] : undefined);
  for (const name of ['patchesStrategicMerge', 'configurations', 'crds', 'generators', 'transformers', 'validators']) list(k[name]).forEach((v, i) => add([name, i], v));
  for (const name of ['patches', 'patchesJson6902', 'replacements']) list(k[name]).forEach((v, i) => add([name, i, 'path'], field(v, 'path')));
  add(['openapi', 'path'], field(k.openapi, 'path'));
  for (const name of ['configMapGenerator', 'secretGenerator']) {
    list(k[name]).forEach((g, i) => {
      for (const sub of ['files', 'envs']) list(field(g, sub)).forEach((v, j) => add([name, i, sub, j], v));
      add([name, i, 'env'], field(g, 'env'));
    });
  }
  return out;
}

function formatPath(at: (string | number)[]): string {
  return at.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/**
 * Any other string of a kustomization that names a path in the tree (patches,
 * generator files as `key=path`, replacements, transformers…): taken too, so
 * no list of kustomize's fields is needed to find them.
 */
async function takeMentionedPaths(doc: ParsedDocument, file: string, take: (p: string) => Promise<unknown>, skip: readonly string[]): Promise<void> {
  const strings: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') strings.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  for (const [key, value] of Object.entries(doc.value as Record<string, unknown>)) if (!skip.includes(key)) walk(value);
  for (const s of strings) {
    if (s.includes('\n') || s.length > 1024 || remote.test(s)) continue;
    for (const candidate of new Set([s, s.slice(s.indexOf('=') + 1)])) {
      const target = candidate === '' ? undefined : resolveLinkTarget(file, candidate);
      if (target) await take(target);
    }
  }
}
