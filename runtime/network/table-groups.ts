import { chainUpdateScript, emptyLoaded, loadedAfter, type ChainGroup, type LoadedGroup } from './nft-chains.js';
import { runCommand } from './run-command.js';

/** Who fills some of the table's regular chains, and how its chains and sets are told from others'. */
export interface ChainOwner {
  name: string;
  owns(chainOrSetName: string): boolean;
}

/** A content no rule list joins to, so a chain adopted from an earlier run is always rewritten. */
const UNKNOWN = '\u0000adopted';

/**
 * Loads each owner's chains into the table, one `nft -f` transaction at a
 * time. The first load of an owner adopts what an earlier run of the runtime
 * left (found by listing the table), so leftovers are rewritten or removed.
 */
export class TableGroups {
  private readonly loaded = new Map<string, LoadedGroup>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly table: string) {}

  apply(owner: ChainOwner, wanted: ChainGroup): Promise<void> {
    const run = this.queue.then(async () => {
      const loaded = this.loaded.get(owner.name) ?? (await this.adopt(owner));
      const script = chainUpdateScript(this.table, loaded, wanted);
      if (script) await runCommand('nft', ['-f', '-'], script);
      this.loaded.set(owner.name, loadedAfter(wanted));
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Forgets what was loaded, so the next apply lists the table again (after the table was replaced). */
  reset(): void {
    this.loaded.clear();
  }

  private async adopt(owner: ChainOwner): Promise<LoadedGroup> {
    const found = emptyLoaded();
    const listing = JSON.parse(await runCommand('nft', ['-j', 'list', 'table', 'inet', this.table])) as { nftables: Array<Record<string, { name?: string }>> };
    for (const entry of listing.nftables) {
      if (entry.chain?.name && owner.owns(entry.chain.name)) found.chains.set(entry.chain.name, UNKNOWN);
      if (entry.set?.name && owner.owns(entry.set.name)) found.sets.set(entry.set.name, UNKNOWN);
    }
    return found;
  }
}
