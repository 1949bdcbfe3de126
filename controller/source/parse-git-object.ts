import type { GitTreeEntry } from './tree-cache.js';

export interface GitPerson {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  timestamp: number;
  /** Minutes west of UTC, as isomorphic-git reports it (`+0200` → -120). */
  timezoneOffset: number;
}

export interface GitCommit {
  tree: string;
  parent: string[];
  author: GitPerson;
  committer: GitPerson;
  /** Everything after the headers' blank line. */
  message: string;
}

/**
 * A tree's entries (`<mode> <name>\0<20-byte id>` each), modes written as
 * isomorphic-git does: six digits, odd file modes folded into the five Git knows.
 */
export function parseTree(content: Buffer, oid: string): GitTreeEntry[] {
  const entries: GitTreeEntry[] = [];
  let i = 0;
  while (i < content.length) {
    const space = content.indexOf(0x20, i);
    const nul = content.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 21 > content.length) throw new Error(`tree ${oid} is malformed at byte ${i}`);
    const mode = normalizeMode(content.toString('latin1', i, space), oid);
    entries.push({ mode, name: content.toString('utf8', space + 1, nul), oid: content.toString('hex', nul + 1, nul + 21) });
    i = nul + 21;
  }
  return entries;
}

function normalizeMode(mode: string, oid: string): string {
  if (/^0?4/.test(mode)) return '040000';
  if (/^1006/.test(mode)) return '100644';
  if (/^1007/.test(mode)) return '100755';
  if (/^120/.test(mode)) return '120000';
  if (/^160/.test(mode)) return '160000';
  throw new Error(`tree ${oid} has an entry of unknown mode ${mode}`);
}

export function parseCommit(content: Buffer, oid: string): GitCommit {
  const text = content.toString('utf8');
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  const commit: Partial<GitCommit> & { parent: string[] } = { parent: [], message: split < 0 ? '' : text.slice(split + 2) };
  for (const line of head.split('\n')) {
    // Continuation lines (a gpgsig's) start with a space.
    if (line.startsWith(' ')) continue;
    const space = line.indexOf(' ');
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === 'tree') commit.tree = value;
    else if (key === 'parent') commit.parent.push(value);
    else if (key === 'author') commit.author = parsePerson(value);
    else if (key === 'committer') commit.committer = parsePerson(value);
  }
  if (!commit.tree || !commit.author || !commit.committer) throw new Error(`commit ${oid} is malformed (no tree, author or committer)`);
  return commit as GitCommit;
}

function parsePerson(value: string): GitPerson {
  const m = /^(.*?) ?<([^>]*)> (\d+) ([+-])(\d\d)(\d\d)$/.exec(value);
  if (!m) return { name: value, email: '', timestamp: 0, timezoneOffset: 0 };
  const minutes = Number(m[5]) * 60 + Number(m[6]);
  return { name: m[1], email: m[2], timestamp: Number(m[3]), timezoneOffset: m[4] === '+' ? -minutes : minutes };
}

/** The object an annotated tag names. */
export function parseTagTarget(content: Buffer, oid: string): string {
  const m = /^object ([0-9a-f]{40})$/m.exec(content.toString('latin1', 0, Math.min(content.length, 512)));
  if (!m) throw new Error(`tag ${oid} names no object`);
  return m[1];
}
