import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { bounded } from '../../../../controller/clusters/bounded-request.js';

describe('bounded', () => {
  it('keeps one abort listener on a signal however many requests wait under it', async () => {
    const controller = new AbortController();
    const answers: Array<(v: number) => void> = [];
    const requests = Array.from({ length: 50 }, () => bounded(new Promise<number>((done) => answers.push(done)), { signal: controller.signal }));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    answers.forEach((answer, i) => answer(i));
    expect(await Promise.all(requests)).toEqual(answers.map((_, i) => i));
  });

  it('rejects every waiting request with the reason when the signal aborts', async () => {
    const controller = new AbortController();
    const requests = Array.from({ length: 20 }, () => bounded(new Promise<number>(() => undefined), { signal: controller.signal }));
    controller.abort(new Error('sync cancelled'));
    const results = await Promise.allSettled(requests);
    expect(results.every((r) => r.status === 'rejected' && (r.reason as Error).message === 'sync cancelled')).toBe(true);
  });

  it('rejects with ETIMEDOUT when the request does not answer in time', async () => {
    await expect(bounded(new Promise(() => undefined), { timeoutMs: 20 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('rejects at once under a signal already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(bounded(Promise.resolve(1), { signal: controller.signal })).rejects.toThrow('gone');
  });
});
