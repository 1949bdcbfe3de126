import type { FileTree, TreeEntry, TreeEntryType } from '../../renderer/index.js';
import { entryType } from './entry-type.js';

/**
 * A FileTree that remembers which paths a render looked at: files and
 * symlinks read, directories listed, entries whose type was looked up. The planner keys the next plan on them,
 * so a chart's `Files.get` of a file outside the app still triggers a render
 * when that file changes.
 */
export class RecordingTree implements FileTree {
  readonly reads = new Set<string>();
  readonly lists = new Set<string>();
  readonly types = new Set<string>();

  constructor(private readonly tree: FileTree) {}

  read(path: string): Promise<Buffer | undefined> {
    this.reads.add(path);
    return this.tree.read(path);
  }

  list(path: string): Promise<TreeEntry[] | undefined> {
    this.lists.add(path);
    return this.tree.list(path);
  }

  /** Passed through, so a huge blob is refused before it is read (and a refused file is still a planning input). */
  async size(path: string): Promise<number | undefined> {
    this.reads.add(path);
    return this.tree.size?.(path);
  }

  /** Only the entry's type is an input: a resolved path does not depend on its siblings. */
  typeOf(path: string): Promise<TreeEntryType | undefined> {
    this.types.add(path);
    return entryType(this.tree, path);
  }

  readLink(path: string): Promise<string | undefined> {
    this.reads.add(path);
    return this.tree.readLink(path);
  }
}
