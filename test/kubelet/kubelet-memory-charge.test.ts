import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE, startHarness, type Harness } from './kubelet-harness.js';

// Found by the zero-loss load run (test/load): under load the shop's catalog (limit 128Mi) was
// OOM-killed at 130Mi of RSS, of which some 45Mi were the node binary's file-backed pages that every
// pod shares. A cgroup charges a container its own memory, not the page cache of a shared binary.

function vmRssBytes(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
}

describe('kubelet: what a memory limit is measured against', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("does not charge a container for its program's shared file-backed pages", async () => {
    // An idle node process: a few MB of its own memory, some 20-40 MB of mapped node binary.
    await h.createPod('lean', {
      containers: [{ name: 'app', command: [NODE, '-e', 'setInterval(() => {}, 1000)'], resources: { limits: { memory: '20Mi' } } }],
    });
    await h.waitForPod('lean', 'Running', (p) => p?.status?.containerStatuses?.[0]?.state?.running !== undefined);
    // Running comes at spawn: the wrapper and the sandbox exec node a moment later.
    let pid = nodePidOf(h);
    for (let i = 0; i < 100 && pid === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      pid = nodePidOf(h);
    }
    if (pid === undefined) throw new Error('no node process of pod lean');
    // The test means something only while the whole RSS is above the limit: wait for node to have mapped its binary
    // (Running comes at spawn; a loaded machine takes a while to start node).
    for (let i = 0; i < 100 && vmRssBytes(pid) <= 20 * 1024 * 1024; i++) await new Promise((r) => setTimeout(r, 100));
    expect(vmRssBytes(pid)).toBeGreaterThan(20 * 1024 * 1024);

    // Many kubelet polls (every 200 ms) later it still runs, never restarted.
    for (let i = 0; i < 15; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const pod = await h.waitForPod('lean', 'Running', (p) => p !== undefined);
      const status = pod.status.containerStatuses[0];
      expect(status.lastState?.terminated?.reason).toBeUndefined();
      expect(status.restartCount).toBe(0);
      expect(status.state.running).toBeDefined();
    }
  });
});

/** The node process of the pod, found by its POD_NAMESPACE; undefined until the container has exec'd node. */
function nodePidOf(h: Harness): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = `\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      if (env.includes(`\0POD_NAMESPACE=${h.namespace}\0`) && cmd.startsWith(NODE)) return Number(entry);
    } catch {
      // Not ours, or gone.
    }
  }
  return undefined;
}
