import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { mergeValues, parseSet, RenderError } from '../../../renderer/index.js';
import { parseValuesFile } from '../../../renderer/values/load-values.js';

describe('parseSet (Helm --set syntax)', () => {
  const cases: [string[], Record<string, unknown>][] = [
    [['a.b=c'], { a: { b: 'c' } }],
    [['name=value'], { name: 'value' }],
    [['a=b,c=d'], { a: 'b', c: 'd' }],
    [['a=b', 'c=d'], { a: 'b', c: 'd' }],
    [['outer.inner1=value,outer.inner2=value2'], { outer: { inner1: 'value', inner2: 'value2' } }],
    [['a[0]=x'], { a: ['x'] }],
    [['a[0]=x,a[1]=y'], { a: ['x', 'y'] }],
    [['a[2]=x'], { a: [null, null, 'x'] }],
    [['a.b[1].c=d'], { a: { b: [null, { c: 'd' }] } }],
    [['a[0].b=1,a[0].c=2'], { a: [{ b: 1, c: 2 }] }],
    [['a[0][1]=x'], { a: [[null, 'x']] }],
    [['a\\.b=c'], { 'a.b': 'c' }],
    [['nodeSelector.kubernetes\\.io/role=master'], { nodeSelector: { 'kubernetes.io/role': 'master' } }],
    [['a=b\\,c'], { a: 'b,c' }],
    [['name={a,b,c}'], { name: ['a', 'b', 'c'] }],
    [['name={a, b}'], { name: ['a', ' b'] }],
    [['name={}'], { name: [] }],
    [['name={1,true}'], { name: [1, true] }],
    [['a=null'], { a: null }],
    [['a=NULL'], { a: null }],
    [['a=1'], { a: 1 }],
    [['a=-5'], { a: -5 }],
    [['a=0'], { a: 0 }],
    [['a=0123'], { a: '0123' }],
    [['a=1.5'], { a: '1.5' }],
    [['a=true,b=False'], { a: true, b: false }],
    [['a='], { a: '' }],
    [['a=x=y'], { a: 'x=y' }],
    [['a.b=1', 'a.b=2'], { a: { b: 2 } }],
    [['a.b=1', 'a=2'], { a: 2 }],
    [['image.tag=v1.2.3'], { image: { tag: 'v1.2.3' } }],
  ];
  it.each(cases)('%j', (exprs, expected) => {
    expect(parseSet(exprs)).toEqual(expected);
  });

  const bad: [string, string][] = [
    ['a', '--set:1:1: --set a: key "a" has no value'],
    ['a=b,c', '--set:1:5: --set a=b,c: key "c" has no value'],
    ['a..b=c', '--set:1:3: --set a..b=c: empty key'],
    ['=c', '--set:1:1: --set =c: empty key'],
    ['a[x]=c', '--set:1:2: --set a[x]=c: list index must be a number'],
    ['a[99999999]=c', 'over the limit'],
    ['a={x,y', 'list value is missing its closing }'],
    ['__proto__.x=1', '--set:1:1: --set __proto__.x=1: key "__proto__" is not allowed'],
    ['a.constructor=1', 'key "constructor" is not allowed'],
  ];
  it.each(bad)('refuses %s', (expr, message) => {
    let err: unknown;
    try {
      parseSet([expr]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RenderError);
    expect((err as RenderError).code).toBe('BAD_SET');
    expect((err as RenderError).format()).toContain(message);
  });

  it('does not modify the object it starts from', () => {
    const base = { a: { b: 1 } };
    expect(parseSet(['a.c=2'], base)).toEqual({ a: { b: 1, c: 2 } });
    expect(base).toEqual({ a: { b: 1 } });
  });
});

describe('mergeValues (Helm coalescing)', () => {
  const cases: [string, Record<string, unknown>[], Record<string, unknown>][] = [
    ['maps merge deeply', [{ a: { b: 1, c: 2 } }, { a: { c: 3, d: 4 } }], { a: { b: 1, c: 3, d: 4 } }],
    ['lists are replaced, not merged', [{ l: [1, 2, 3] }, { l: [9] }], { l: [9] }],
    ['a scalar replaces a map', [{ a: { b: 1 } }, { a: 'x' }], { a: 'x' }],
    ['a map replaces a scalar', [{ a: 'x' }, { a: { b: 1 } }], { a: { b: 1 } }],
    ['null deletes a key', [{ a: 1, b: { c: 1, d: 2 } }, { b: { c: null } }], { a: 1, b: { d: 2 } }],
    ['null deletes a whole map', [{ a: { b: 1 } }, { a: null }], {}],
    ['later layers win', [{ r: 1 }, { r: 2 }, { r: 3 }], { r: 3 }],
    ['false and 0 override', [{ a: true, n: 5 }, { a: false, n: 0 }], { a: false, n: 0 }],
    ['empty map merges as no-op', [{ a: { b: 1 } }, { a: {} }], { a: { b: 1 } }],
    ['keys only in lower layers stay', [{ a: 1 }, { b: 2 }], { a: 1, b: 2 }],
  ];
  it.each(cases)('%s', (_n, layers, expected) => {
    expect(mergeValues(...layers)).toEqual(expected);
  });

  it('leaves its inputs untouched', () => {
    const a = { m: { x: 1 } };
    const b = { m: { y: 2 } };
    mergeValues(a, b);
    expect(a).toEqual({ m: { x: 1 } });
  });

  it('chart values < values files < inline values < --set', () => {
    const chart = { replicas: 1, image: { repo: 'r', tag: 'latest' }, env: ['A'] };
    const file = { replicas: 2, image: { tag: 'v1' } };
    const inline = { replicas: 3 };
    expect(mergeValues(chart, file, inline, parseSet(['image.tag=v2,env={B,C}']))).toEqual({
      replicas: 3,
      image: { repo: 'r', tag: 'v2' },
      env: ['B', 'C'],
    });
  });
});

describe('parseValuesFile (parsed values files are cached, up to 512)', () => {
  it('keeps no hold on the bytes a values file was read from, and still names the line of a value in it', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // A unique text, so that this is a new cache entry and not one an earlier test made.
    let content: Buffer | undefined = Buffer.from(`# ${process.hrtime.bigint()}\nreplicas: 2\nimage:\n  tag: v1\n${'#'.repeat(64 * 1024)}\n`);
    const bytes = new WeakRef(content);
    const layer = parseValuesFile({ file: 'envs/prod.yaml', content }, []);
    content = undefined;
    // A WeakRef holds its target until the current job ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(bytes.deref()).toBeUndefined();
    expect(layer!.locate!(['image', 'tag'])).toEqual({ line: 4, col: 8 });
  });
});
