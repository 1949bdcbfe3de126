import { DiskTree, type FileTree } from '../../renderer/index.js';
import { contentDigest } from '../../runtime/kube/canonical-json.js';

const digests = new WeakMap<FileTree, Map<string, Promise<string>>>();
// Callers may make a new DiskTree per plan; the same directory is still read once.
const diskDigests = new Map<string, Map<string, Promise<string>>>();

/**
 * Digest of a bundled chart's files (paths, contents, symlink targets).
 * Bundled charts change only with baton itself, so each is read once per
 * process and tree. 'missing' when there is no such chart.
 */
export function bundledChartDigest(charts: FileTree, chart: string): Promise<string> {
  let byName = charts instanceof DiskTree ? diskDigests.get(charts.root) : digests.get(charts);
  if (!byName) {
    byName = new Map();
    if (charts instanceof DiskTree) diskDigests.set(charts.root, byName);
    else digests.set(charts, byName);
  }
  let digest = byName.get(chart);
  if (!digest) {
    digest = treeDigest(charts, chart);
    byName.set(chart, digest);
    // A failed read is not remembered: the next plan tries again.
    digest.catch(() => byName.delete(chart));
  }
  return digest;
}

async function treeDigest(tree: FileTree, root: string): Promise<string> {
  if (!(await tree.list(root))) return 'missing';
  const files: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const e of (await tree.list(dir)) ?? []) {
      const path = `${dir}/${e.name}`;
      if (e.type === 'dir') await walk(path);
      else if (e.type === 'symlink') files[path] = `-> ${await tree.readLink(path)}`;
      else files[path] = contentDigest((await tree.read(path))?.toString('base64') ?? null);
    }
  };
  await walk(root);
  return contentDigest(files);
}
