import { describe, expect, it } from 'vitest';
import { KeyedQueue } from '../../../../runtime/network/keyed-queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KeyedQueue', () => {
  it('runs tasks of one key in order, even after a failure', async () => {
    const queue = new KeyedQueue();
    const order: string[] = [];
    const gate = deferred();
    const first = queue.run('a', async () => {
      await gate.promise;
      order.push('a1');
      throw new Error('boom');
    });
    const second = queue.run('a', async () => {
      order.push('a2');
      return 2;
    });
    const other = queue.run('b', async () => {
      order.push('b1');
    });
    await other;
    expect(order).toEqual(['b1']);
    expect(queue.busyKeys()).toContain('a');
    gate.resolve();
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe(2);
    expect(order).toEqual(['b1', 'a1', 'a2']);
    await queue.idle();
    expect(queue.busyKeys()).toEqual([]);
  });
});
