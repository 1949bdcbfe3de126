import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { childrenOf, sandboxInitPid, titleOf } from '../../runtime/kubelet/process-sandbox.js';

// Exec probes and `kubectl exec` enter the namespaces of the sandbox's pid 1 (nsenter --target). Entered before
// pid 1 is in the pod's namespaces, or before the set-up has hidden baton's state dir, they ran on the host's.
// These trees are made with perl's `$0`, as the zygote titles its processes.

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.pid) process.kill(-child.pid, 'SIGKILL');
});

/** A wrapper titled as the zygote's, whose child runs `init` (perl) after it forks. */
function tree(init: string): number {
  const child = spawn('perl', ['-e', `$0 = "baton-container /x/exit"; if (!fork) { ${init}; sleep 60 } sleep 60`], { detached: true, stdio: 'ignore' });
  started.push(child);
  return child.pid!;
}

async function settled(wrapper: number, depth: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    let level = [wrapper];
    for (let d = 0; d < depth; d++) level = level.flatMap(childrenOf);
    if (level.length > 0 && level.every((pid) => titleOf(pid) !== '' && !titleOf(pid).startsWith('perl'))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the process tree never settled');
}

describe('sandboxInitPid: the pid 1 exec enters', () => {
  it('is none while pid 1 still carries the wrapper\'s title (not yet in the pod\'s namespaces)', async () => {
    const wrapper = tree('1');
    await settled(wrapper, 1);
    expect(sandboxInitPid(wrapper)).toBeUndefined();
  });

  it('is none while the program is still being set up (its process not yet exec\'d)', async () => {
    const wrapper = tree('$0 = "baton-sandbox-init"; if (!fork) { sleep 60 }');
    await settled(wrapper, 2);
    expect(sandboxInitPid(wrapper)).toBeUndefined();
  });

  it('is pid 1 once its program has exec\'d', async () => {
    const wrapper = tree('$0 = "baton-sandbox-init"; if (!fork) { exec "sleep", "60" }');
    await settled(wrapper, 2);
    const [init] = childrenOf(wrapper);
    expect(sandboxInitPid(wrapper)).toBe(init);
  });
});
