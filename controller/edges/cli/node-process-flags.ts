/**
 * The flags Node runs baton with: bin/baton.js's `#!/usr/bin/env -S node …` line and the Dockerfile's
 * ENTRYPOINT carry the same (test/dockerfile checks all three agree), and the benches start baton with them.
 *
 * `--max-semi-space-size=4`: V8's young generation stays at 2 × 4 MiB instead of growing to 2 × 16 MiB.
 * baton's allocations are short-lived (requests, renders, watch events), so a bigger young generation
 * only holds garbage longer: measured on the 2-core machine, the idle controller following 1,000 apps
 * with drift checks on held a median 163 MiB RSS with V8's default and 133 MiB with 4 MiB (two paired
 * rounds each, bench/controller.ts idle), and in one paired round on a loaded machine applying an app
 * of 5,000 ConfigMaps peaked at 194 MiB instead of 354 MiB, with no more CPU per object.
 */
export const NODE_PROCESS_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
