import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppSpec } from '../apps/app-spec.js';
import type { FileTree } from '../../renderer/index.js';
import { contentDigest } from '../../runtime/kube/canonical-json.js';
import { bundledChartDigest } from './chart-digest.js';
import { entryType } from './entry-type.js';

/** What the planner needs of a repository: its files at a commit, and cheap content ids. */
export interface PlanSource {
  /** The files at `commit`. */
  tree(commit: string): FileTree;
  /** Git id of the tree or blob at `path` in `commit`; undefined when absent. */
  treeOid(commit: string, path: string): Promise<string | undefined>;
}

/** Repository paths a render looked at beyond the app's own path and values files. */
export interface InputDeps {
  /** Files and symlinks read. */
  reads: string[];
  /** Directories listed (globbing, reading a directory). */
  lists: string[];
  /** Entries whose type was looked up (resolving a path through them). */
  types: string[];
}

export interface InputsKeyInput {
  app: AppSpec;
  repo: PlanSource;
  commit: string;
  chartsTree: FileTree;
  preview: boolean;
  deps: InputDeps;
}

/**
 * The app's inputs key: a digest of everything a render reads (the app's
 * directory tree id or the bundled chart's digest, each values file's blob
 * id, the spec with its inline values, the ids of other paths the last
 * render read, the names in directories it listed and the types of entries
 * it looked up on the way to a path), followed by those paths so the next plan can check them
 * again. Equal keys mean the render would come out the same.
 * Format: `sha256:<hex>`, then ` {"lists":[…],"reads":[…],"types":[…]}` when there are such paths.
 */
export async function computeInputsKey(input: InputsKeyInput): Promise<string> {
  const { app, repo, commit, deps } = input;
  const oid = async (path: string) => (await repo.treeOid(commit, path)) ?? 'missing';
  let tree: FileTree | undefined;
  const names = async (path: string) => {
    const entries = await (tree ??= repo.tree(commit)).list(path);
    return entries ? entries.map((e) => `${e.type}:${e.name}`) : 'missing';
  };
  const type = async (path: string) => (await entryType((tree ??= repo.tree(commit)), path)) ?? 'missing';
  const key = {
    baton: batonVersion(),
    spec: specDigest(app),
    preview: input.preview,
    source: app.path !== undefined ? { path: app.path, oid: await oid(app.path) } : { chart: app.chart, digest: await bundledChartDigest(input.chartsTree, app.chart!) },
    values: await each(app.values, async (f) => [f, await oid(f)]),
    reads: await each(deps.reads, async (p) => [p, await oid(p)]),
    lists: await each(deps.lists, async (p) => [p, await names(p)]),
    types: await each(deps.types, async (p) => [p, await type(p)]),
  };
  // The key's fields are always built in the same order, so JSON.stringify is canonical here; keys live
  // only in memory (a restart renders again), and one is checked per app per commit.
  const digest = `sha256:${hash('sha256', JSON.stringify(key))}`;
  return deps.reads.length + deps.lists.length + deps.types.length > 0 ? `${digest} ${JSON.stringify({ lists: deps.lists, reads: deps.reads, types: deps.types })}` : digest;
}

/** Each of `items` through `f`, without a Promise.all for none (most apps' values, reads and lists). */
function each<T, R>(items: readonly T[], f: (item: T) => Promise<R>): R[] | Promise<R[]> {
  return items.length === 0 ? [] : Promise.all(items.map(f));
}

/** The paths a key recorded; none for a missing or unreadable key (which then matches nothing). Read-only: shared between keys. */
export function parseInputsKey(key: string | undefined): InputDeps {
  const json = key?.slice(key.indexOf(' ') + 1);
  if (!key || !key.includes(' ') || !json) return { reads: [], lists: [], types: [] };
  // Apps laid out alike record the same paths (`apps`): each text is parsed once.
  let deps = parsedDeps.get(json);
  if (!deps) {
    deps = Object.freeze(parseDeps(json));
    if (parsedDeps.size >= MAX_PARSED_DEPS) parsedDeps.clear();
    parsedDeps.set(json, deps);
  }
  return deps;
}

const parsedDeps = new Map<string, InputDeps>();
const MAX_PARSED_DEPS = 1024;

function parseDeps(json: string): InputDeps {
  try {
    const d = JSON.parse(json) as Partial<InputDeps>;
    const strings = (v: unknown) => Object.freeze(Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []) as string[];
    return { reads: strings(d.reads), lists: strings(d.lists), types: strings(d.types) };
  } catch {
    return { reads: [], lists: [], types: [] };
  }
}

/** The paths of a recorded render that the app's own inputs do not already cover, sorted. */
export function extraDeps(app: AppSpec, reads: Iterable<string>, lists: Iterable<string>, types: Iterable<string>): InputDeps {
  const covered = (p: string) => (app.path !== undefined && (app.path === p || p.startsWith(`${app.path}/`))) || app.values.includes(p);
  const sorted = (s: Iterable<string>) => [...new Set(s)].filter((p) => !covered(p)).sort();
  return { reads: sorted(reads), lists: sorted(lists), types: sorted(types) };
}

/** Digest of a spec without where it was declared; specs are read-only, and one spec is checked on every commit. */
const specDigests = new WeakMap<AppSpec, string>();

function specDigest(app: AppSpec): string {
  let digest = specDigests.get(app);
  if (digest === undefined) {
    const { declaredAt: _, ...spec } = app;
    digest = contentDigest(spec);
    specDigests.set(app, digest);
  }
  return digest;
}

let version: string | undefined;

/** baton's version: a new baton may render differently, so its keys never match an older one's. */
function batonVersion(): string {
  if (version) return version;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'baton') return (version = pkg.version ?? 'unknown');
    } catch {}
    if (dirname(dir) === dir) return (version = 'unknown');
  }
}
