import { describe, expect, it } from 'vitest';
import { applyRun, kindRuns } from '../../../../controller/apply/apply-runs.js';

const obj = (kind: string, name: string, apiVersion = 'v1') => ({ apiVersion, kind, metadata: { name } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kindRuns', () => {
  it.each([
    { objects: [], runs: [] },
    { objects: [obj('ConfigMap', 'a'), obj('ConfigMap', 'b')], runs: [['a', 'b']] },
    { objects: [obj('Secret', 'a'), obj('ConfigMap', 'b'), obj('Secret', 'c')], runs: [['a'], ['b'], ['c']] },
    { objects: [obj('Widget', 'a', 'x/v1'), obj('Widget', 'b', 'y/v1')], runs: [['a'], ['b']] },
  ])('cuts $objects.length objects into runs of one apiVersion and kind, in order', ({ objects, runs }) => {
    expect(kindRuns(objects).map((run) => run.map((o) => o.metadata.name))).toEqual(runs);
  });
});

describe('applyRun', () => {
  it('reports in the run order whatever order the applies finish in', async () => {
    const reported: number[] = [];
    await applyRun([30, 10, 20, 0], 4, undefined, async (ms) => (await sleep(ms), ms), (r) => reported.push(r));
    expect(reported).toEqual([30, 10, 20, 0]);
  });

  it('sends no more than `concurrency` at once', async () => {
    let inFlight = 0;
    let most = 0;
    await applyRun([...Array(20).keys()], 3, undefined, async () => {
      most = Math.max(most, ++inFlight);
      await sleep(2);
      inFlight--;
    }, () => undefined);
    expect(most).toBe(3);
  });

  it('stops at the first failure in run order, reports what was applied, and throws that failure', async () => {
    const sent: number[] = [];
    const reported: number[] = [];
    const run = applyRun([0, 1, 2, 3, 4, 5], 2, undefined, async (i) => {
      sent.push(i);
      await sleep(i === 1 ? 5 : 1);
      if (i === 1 || i === 2) throw new Error(`object ${i} refused`);
      return i;
    }, (r) => reported.push(r));
    await expect(run).rejects.toThrow('object 1 refused');
    expect(reported).toEqual([0]);
    expect(sent).not.toContain(5);
  });
});
