export type TreeEntryType = 'file' | 'dir' | 'symlink';

export interface TreeEntry {
  name: string;
  type: TreeEntryType;
}

/**
 * A read-only file tree at one commit. Paths are tree-relative, `/`-separated,
 * `''` is the root; `..` and absolute paths are refused by implementations.
 * Implementations never follow symlinks themselves: the renderer resolves them
 * (see resolveInTree) so it can refuse links that leave the tree.
 */
export interface FileTree {
  /** Contents of a regular file, or undefined when there is no regular file at `path`. */
  read(path: string): Promise<Buffer | undefined>;
  /** Entries of a directory sorted by name, or undefined when `path` is not a directory. */
  list(path: string): Promise<TreeEntry[] | undefined>;
  /** Target of a symlink as stored, or undefined when `path` is not a symlink. */
  readLink(path: string): Promise<string | undefined>;
  /**
   * Type of the entry at `path` (a symlink is not followed), or undefined when
   * nothing is there: resolving a path needs this of each segment, not the
   * whole listing of its parent (a planner keys on what was looked at).
   * @defaultValue not offered: the parent directory is listed
   */
  typeOf?(path: string): Promise<TreeEntryType | undefined>;
  /**
   * Size in bytes of the regular file at `path`, known without reading it (a
   * Git blob's header), so size limits refuse a huge file before it is in
   * memory. @defaultValue not offered: the limit is checked after `read`
   */
  size?(path: string): Promise<number | undefined>;
}
