/**
 * A set of regular chains (and named sets) one part of the runtime keeps in
 * the network's nftables table: the service proxy's, the policy compiler's.
 * Each owner hands over its whole wanted state; only what changed is sent.
 */
export interface ChainGroup {
  /** Chain name → its rules, in `nft` syntax as inside `chain <name> { … }`. */
  chains: Map<string, string[]>;
  /** Set name → its declaration body, e.g. `type ipv4_addr; flags dynamic,timeout; timeout 10800s;`. Kept, not flushed, while declared. */
  sets?: Map<string, string>;
}

/** What a group last loaded: chain name → rules joined, and set declarations. */
export interface LoadedGroup {
  chains: Map<string, string>;
  sets: Map<string, string>;
}

export function emptyLoaded(): LoadedGroup {
  return { chains: new Map(), sets: new Map() };
}

/**
 * The `nft -f` script that takes a table from `loaded` to `wanted` in one
 * transaction: chains are declared first (rules may jump to any of them),
 * changed ones flushed and refilled, and the ones no longer wanted deleted
 * last, once the rules that referred to them are gone. An unchanged chain is
 * not touched, so its counters and a live affinity set survive. Returns ''
 * when nothing changed.
 */
export function chainUpdateScript(table: string, loaded: LoadedGroup, wanted: ChainGroup): string {
  const at = `inet ${table}`;
  const declare: string[] = [];
  const fill: string[] = [];
  const remove: string[] = [];
  const wantedSets = wanted.sets ?? new Map<string, string>();
  // A set's name carries its shape (the owner hashes the declaration in), so a known name is left as it is.
  for (const [name, decl] of wantedSets) if (!loaded.sets.has(name)) declare.push(`add set ${at} ${name} { ${decl} }`);
  for (const name of loaded.chains.keys()) {
    if (wanted.chains.has(name)) continue;
    fill.push(`flush chain ${at} ${name}`);
    remove.push(`delete chain ${at} ${name}`);
  }
  for (const [name, rules] of wanted.chains) {
    const before = loaded.chains.get(name);
    if (before === rules.join('\n')) continue;
    if (before === undefined) declare.push(`add chain ${at} ${name}`);
    else fill.push(`flush chain ${at} ${name}`);
    for (const rule of rules) fill.push(`add rule ${at} ${name} ${rule}`);
  }
  for (const name of loaded.sets.keys()) if (!wantedSets.has(name)) remove.push(`delete set ${at} ${name}`);
  const lines = [...declare, ...fill, ...remove];
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** What a group holds after `chainUpdateScript` was loaded. */
export function loadedAfter(wanted: ChainGroup): LoadedGroup {
  return {
    chains: new Map([...wanted.chains].map(([name, rules]) => [name, rules.join('\n')])),
    sets: new Map(wanted.sets ?? []),
  };
}
