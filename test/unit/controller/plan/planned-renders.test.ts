import { describe, expect, it } from 'vitest';
import { PlannedRenders, type PlannedRender } from '../../../../controller/plan/planned-renders.js';
import type { RenderedObject } from '../../../../renderer/index.js';

function plan(revision: string, count: number): PlannedRender {
  const objects = Array.from({ length: count }, (_, i): RenderedObject => ({
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` } },
    source: { file: 'cm.yaml', line: 1 },
    digest: `d${i}`,
  }));
  return { revision, inputsKey: `sha256:${revision}`, objects, digest: `digest-${revision}` };
}

describe('PlannedRenders', () => {
  it('hands an app its plan of the asked revision once; another revision leaves it kept', () => {
    const planned = new PlannedRenders();
    planned.put('catalog', plan('a', 2));
    expect(planned.take('catalog', 'b')).toBeUndefined();
    expect(planned.take('catalog', 'a')?.digest).toBe('digest-a');
    expect(planned.take('catalog', 'a')).toBeUndefined();
    expect(planned.size).toBe(0);
  });

  it("keeps only an app's newest plan", () => {
    const planned = new PlannedRenders();
    planned.put('catalog', plan('a', 2));
    planned.put('catalog', plan('b', 3));
    expect(planned.take('catalog', 'a')).toBeUndefined();
    expect(planned.size).toBe(3);
  });

  it('holds at most maxObjects, dropping the oldest plans (their syncs render) and never keeping one too large', () => {
    const planned = new PlannedRenders({ maxObjects: 5 });
    planned.put('one', plan('a', 2));
    planned.put('two', plan('a', 2));
    planned.put('three', plan('a', 2));
    expect(planned.take('one', 'a')).toBeUndefined();
    expect(planned.take('two', 'a')?.objects).toHaveLength(2);
    planned.put('huge', plan('a', 6));
    expect(planned.take('huge', 'a')).toBeUndefined();
    expect(planned.size).toBe(2);
  });
});
