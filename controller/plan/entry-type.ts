import type { FileTree, TreeEntryType } from '../../renderer/index.js';

/** The type of the entry at `path` (not following a symlink), from the tree's own lookup or else its parent's listing. */
export async function entryType(tree: FileTree, path: string): Promise<TreeEntryType | undefined> {
  if (tree.typeOf) return tree.typeOf(path);
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  return (await tree.list(path.slice(0, Math.max(0, slash))))?.find((e) => e.name === name)?.type;
}
