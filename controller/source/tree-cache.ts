/** One entry of a Git tree object, as baton needs it. */
export interface GitTreeEntry {
  name: string;
  /** Git file mode: `040000` dir, `100644`/`100755` file, `120000` symlink, `160000` submodule. */
  mode: string;
  oid: string;
}

/**
 * Parsed Git tree objects by oid, least recently used dropped first. Tree ids
 * name their content, so one cache can serve every repository and commit:
 * a new commit re-reads only the trees it changed.
 */
export class TreeCache {
  private readonly trees = new Map<string, readonly GitTreeEntry[]>();

  /** @param maxTrees Trees kept before the least recently used is dropped. */
  constructor(readonly maxTrees = 20_000) {}

  get(oid: string): readonly GitTreeEntry[] | undefined {
    const entries = this.trees.get(oid);
    if (entries) {
      this.trees.delete(oid);
      this.trees.set(oid, entries);
    }
    return entries;
  }

  set(oid: string, entries: readonly GitTreeEntry[]): void {
    this.trees.delete(oid);
    this.trees.set(oid, entries);
    if (this.trees.size > this.maxTrees) this.trees.delete(this.trees.keys().next().value as string);
  }

  get size(): number {
    return this.trees.size;
  }
}
