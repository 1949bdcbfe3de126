import { describe, expect, it } from 'vitest';
import { applyMergePatch } from '../../../../runtime/patch/index.js';

describe('applyMergePatch (RFC 7386)', () => {
  it.each([
    ['sets a scalar', { a: 'b' }, { a: 'c' }, { a: 'c' }],
    ['adds a key', { a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    ['null removes a key', { a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    ['arrays are replaced, not merged', { a: [{ name: 'x', v: 1 }, { name: 'y' }] }, { a: [{ name: 'x' }] }, { a: [{ name: 'x' }] }],
    ['nested objects merge', { spec: { replicas: 1, paused: true } }, { spec: { replicas: 3, paused: null } }, { spec: { replicas: 3 } }],
    ['an object replaces a scalar', { a: 'foo' }, { a: { b: 'c' } }, { a: { b: 'c' } }],
    ['nulls inside a new object are dropped', {}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ['a non-object patch replaces the target', { a: 'b' }, ['c'], ['c']],
    ['a patch onto a scalar target builds an object', 'x', { a: 1 }, { a: 1 }],
  ])('%s', (_name, target, patch, want) => {
    const before = structuredClone(target);
    expect(applyMergePatch(target, patch)).toEqual(want);
    expect(target).toEqual(before);
  });

  it('returns a value that shares nothing with its inputs', () => {
    const target = { keep: { deep: [1] } };
    const out = applyMergePatch(target, { other: 1 }) as { keep: { deep: number[] } };
    out.keep.deep.push(2);
    expect(target.keep.deep).toEqual([1]);
  });
});
