import { describe, expect, it } from 'vitest';
import type { AppSpec } from '../../../../controller/apps/app-spec.js';
import { orderApps } from '../../../../controller/plan/order-apps.js';

const app = (name: string, dependsOn: string[] = []) => ({ name, dependsOn }) as AppSpec;
const order = (apps: AppSpec[]) => orderApps(apps).map((a) => a.name);

describe('orderApps', () => {
  it.each([
    { name: 'no dependencies: by name', apps: [app('c'), app('a'), app('b')], expected: ['a', 'b', 'c'] },
    { name: 'dependencies first', apps: [app('a', ['c']), app('b'), app('c', ['b'])], expected: ['b', 'c', 'a'] },
    { name: 'among apps free to go, by name', apps: [app('z'), app('m', ['z']), app('a', ['z']), app('b')], expected: ['b', 'z', 'a', 'm'] },
    { name: 'a dependency on an app not in the list is ignored', apps: [app('a', ['gone']), app('b')], expected: ['a', 'b'] },
  ])('$name', ({ apps, expected }) => {
    expect(order(apps)).toEqual(expected);
    expect(order([...apps].reverse())).toEqual(expected);
  });

  it('refuses a cycle, naming the apps in it', () => {
    expect(() => orderApps([app('a', ['b']), app('b', ['a']), app('c')])).toThrow('apps depend on each other in a cycle: a, b');
  });
});
