// ESLint rules for baton's dependency layout: which folder may import which,
// and no barrels in controller/. The table below is the contract each folder's
// README restates; change both together.
import { dirname, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** What the controller's data path folders may use. */
const DATA_PATH = [
  'controller/apps',
  'controller/censor',
  'controller/clusters',
  'controller/source',
  'controller/plan',
  'controller/queue',
  'controller/sync',
  'controller/apply',
  'controller/health',
  'controller/state',
  'controller/previews',
  'controller/redis',
  'renderer/index',
  'runtime/index',
  'runtime/kube',
];

/** Folder → the folders its files may import (besides their own). */
export const MAY_IMPORT = {
  'runtime/kube': [],
  renderer: ['runtime/kube'],
  runtime: ['runtime/kube'],
  'runtime/index': ['runtime', 'runtime/kube'],
  'renderer/index': ['renderer', 'runtime/kube'],
  'controller/censor': ['runtime/kube'],
  'controller/redis': ['controller/censor', 'runtime/kube'],
  'controller/apps': ['controller/censor', 'renderer/index', 'runtime/kube'],
  'controller/clusters': ['controller/apps', 'controller/censor', 'runtime/kube'],
  'controller/source': ['controller/apps', 'controller/censor', 'renderer/index', 'runtime/kube'],
  'controller/queue': ['controller/apps', 'controller/censor', 'controller/redis', 'runtime/kube'],
  'controller/state': ['controller/apps', 'controller/censor', 'controller/queue', 'controller/redis', 'runtime/index', 'runtime/kube'],
  'controller/health': ['controller/apps', 'controller/censor', 'controller/clusters', 'runtime/kube'],
  'controller/apply': ['controller/apps', 'controller/censor', 'controller/clusters', 'controller/health', 'runtime/kube'],
  'controller/plan': [
    'controller/apps',
    'controller/censor',
    'controller/source',
    'controller/clusters',
    'controller/health',
    'controller/queue',
    'controller/state',
    'renderer/index',
    'runtime/kube',
  ],
  'controller/previews': [
    ...DATA_PATH.filter((f) => f !== 'controller/previews' && f !== 'controller/sync' && f !== 'runtime/index'),
    'controller/edges/webhooks',
    'controller/edges/notify',
  ],
  'controller/sync': DATA_PATH.filter((f) => f !== 'controller/sync' && f !== 'runtime/index'),
  'controller/edges/webhooks': ['controller/apps', 'controller/censor', 'controller/queue', 'controller/redis', 'controller/source', 'controller/state', 'runtime/kube'],
  'controller/edges/notify': ['controller/apps', 'controller/censor', 'controller/source', 'runtime/kube'],
  'controller/edges/queue-board': ['controller/censor', 'controller/queue', 'controller/redis', 'runtime/kube'],
  'controller/edges/api': [...DATA_PATH, 'controller/edges/queue-board', 'controller/observe/logging', 'controller/observe/metrics'],
  'controller/edges/dashboard': [...DATA_PATH, 'controller/edges/api'],
  // Browser code: bundled by esbuild, so only pure modules.
  'controller/edges/dashboard/web': ['controller/edges/api', 'runtime/kube'],
  'controller/edges/cli': [
    ...DATA_PATH,
    'controller/edges/api',
    'controller/edges/dashboard',
    'controller/edges/notify',
    'controller/edges/queue-board',
    'controller/edges/webhooks',
    'controller/observe/logging',
    'controller/observe/metrics',
  ],
  'controller/observe/logging': DATA_PATH,
  'controller/observe/metrics': [...DATA_PATH, 'controller/observe/logging'],
};

/** The layer a repo-relative path belongs to, or undefined outside the checked sources. */
export function layerOf(path) {
  const parts = path.split('/');
  const [top, second, third] = parts;
  if (top === 'runtime') {
    if (path === 'runtime/index.ts' || path === 'runtime/index.js') return 'runtime/index';
    return second === 'kube' ? 'runtime/kube' : 'runtime';
  }
  if (top === 'renderer') return path === 'renderer/index.ts' || path === 'renderer/index.js' ? 'renderer/index' : 'renderer';
  if (top !== 'controller' || parts.length < 3) return top === 'controller' ? 'controller' : undefined;
  if (second === 'edges' && third === 'dashboard' && parts[3] === 'web') return 'controller/edges/dashboard/web';
  if (second === 'edges' || second === 'observe') return parts.length > 3 ? `controller/${second}/${third}` : `controller/${second}`;
  return `controller/${second}`;
}

const toRepo = (abs) => relative(ROOT, abs).split(sep).join('/');

const layers = {
  meta: { type: 'problem', docs: { description: 'a folder imports only the folders its README allows' }, schema: [] },
  create(context) {
    const file = toRepo(context.filename);
    const from = layerOf(file);
    if (!from) return {};
    const allowed = MAY_IMPORT[from];
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = toRepo(resolve(dirname(context.filename), source));
      const to = layerOf(target);
      if (!to || to === from) return;
      if (allowed?.includes(to)) return;
      const readme = from.startsWith('controller') ? `${from.replace('/web', '')}/README.md` : `${from.split('/')[0]}/README.md`;
      const hint = to === 'runtime' ? ' (import runtime/index.ts or runtime/kube/)' : to === 'renderer' ? ' (import renderer/index.ts)' : '';
      context.report({ node, message: `${from} may not import ${to}: ${target}${hint}. ${readme} says what ${from} may import.` });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

const noBarrels = {
  meta: { type: 'problem', docs: { description: 'controller folders have no index.ts barrels' }, schema: [] },
  create(context) {
    const file = toRepo(context.filename);
    if (!file.startsWith('controller/') || !/\/index\.tsx?$/.test(file)) return {};
    return {
      Program: (node) =>
        context.report({ node, message: `${file}: controller folders have no barrels; import the file that declares the thing (controller/README.md)` }),
    };
  },
};

export const importLayersPlugin = { rules: { layers, 'no-barrels': noBarrels } };
