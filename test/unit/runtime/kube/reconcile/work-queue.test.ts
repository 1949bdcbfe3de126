import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../../../runtime/kube/reconcile/work-queue.js';

describe('WorkQueue', () => {
  it('de-duplicates queued keys and re-queues a key added while it is processed', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    q.add('a');
    expect(await q.get()).toBe('b');
    expect(q.length).toBe(0);
    q.done('a');
    expect(await q.get()).toBe('a');
    q.shutdown();
    expect(await q.get()).toBeUndefined();
  });

  it('keeps the earliest delayed add of a key, and drops it on cancelAfter', async () => {
    const q = new WorkQueue();
    q.addAfter('a', 20);
    q.addAfter('a', 60_000);
    expect(await q.get()).toBe('a');
    q.done('a');
    q.addAfter('b', 20);
    q.cancelAfter('b');
    await new Promise((r) => setTimeout(r, 60));
    expect(q.length).toBe(0);
    q.shutdown();
  });
});
