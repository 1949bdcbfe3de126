import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { normalize } from '../../../../runtime/store/object-rules.js';

class Quantity {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text;
  }
}

const withProtoKey = JSON.parse('{"metadata":{"__proto__":{"polluted":true},"name":"a"}}') as unknown;

// normalize must give exactly what a JSON round trip gives: the store compares objects with isDeepStrictEqual.
describe('normalize', () => {
  it.each([
    ['a ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { x: 'y' } }, data: { k: 'v' } }],
    ['undefined members dropped', { a: undefined, b: 1, c: { d: undefined, e: [1, undefined, 3] } }],
    ['functions and symbols dropped, null in lists', { f: () => 1, s: Symbol('x'), list: [() => 1, Symbol('y'), null] }],
    ['non-finite numbers and -0', { nan: NaN, inf: Infinity, neg: -Infinity, zero: -0, list: [-0, NaN] }],
    ['a Date and toJSON', { when: new Date(0), q: new Quantity('100m'), own: { toJSON: () => 'own' } }],
    ['a list with holes', { list: [1, , 3] }], // eslint-disable-line no-sparse-arrays
    ['an own __proto__ key', withProtoKey],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 })],
    ['nested lists', [[1, [2, { a: [3] }]], 'x', true, false, null]],
  ])('%s', (_name, value) => {
    const expected = JSON.parse(JSON.stringify(value)) as unknown;
    const copy = normalize(value);
    expect(isDeepStrictEqual(copy, expected)).toBe(true);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(expected));
    if (typeof value === 'object' && value !== null) expect(copy).not.toBe(value);
  });

  it('makes an own __proto__ key, not a prototype', () => {
    const copy = normalize(withProtoKey) as { metadata: Record<string, unknown> };
    expect(Object.getPrototypeOf(copy.metadata)).toBe(Object.prototype);
    expect(Object.keys(copy.metadata)).toEqual(['__proto__', 'name']);
  });

  it('writes -0 as 0, as JSON does', () => {
    expect(Object.is((normalize({ a: -0 }) as { a: number }).a, 0)).toBe(true);
  });
});
