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

  it('takes keys added first before the others, moving up a key already queued, and still once', async () => {
    const q = new WorkQueue();
    for (const k of ['a', 'b', 'c', 'd']) q.add(k);
    q.addFirst('c');
    q.addFirst('e');
    q.addFirst('c');
    expect(q.length).toBe(5);
    const order: string[] = [];
    while (q.length > 0) order.push((await q.get())!);
    expect(order).toEqual(['c', 'e', 'a', 'b', 'd']);
    // Added first while being processed: it goes first when done.
    q.addFirst('a');
    q.add('z');
    q.done('a');
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('z');
    expect(q.length).toBe(0);
    q.shutdown();
  });
});
