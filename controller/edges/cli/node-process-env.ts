/**
 * The environment baton's Node process starts with: bin/baton.js's
 * `#!/usr/bin/env -S … node` line and the Dockerfile's ENV carry the same
 * (test/dockerfile checks they agree), and the benches that measure baton's
 * memory start it with them. glibc reads it once, at the process's first
 * malloc, so it cannot be set from inside.
 *
 * `MALLOC_ARENA_MAX=2`: glibc gives each thread that contends for malloc an
 * arena of its own, up to 8 per core; Node's threads (libuv's pool, V8's
 * compiler and GC workers, SQLite) each kept their freed memory in theirs.
 * In a side-by-side pair of 12-minute `bench/soak.ts` runs (a commit every
 * 4 s, same machine, same time), baton up's memory outside the V8 heap went
 * from 104 to 114 MB with glibc's default and from 88 to 86 MB with 2 arenas.
 */
export const NODE_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
