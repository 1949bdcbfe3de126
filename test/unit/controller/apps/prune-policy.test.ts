import { describe, expect, it } from 'vitest';
import { parseBatonYaml } from '../../../../controller/apps/parse-baton-yaml.js';

const parse = (syncPolicy: string) => parseBatonYaml(`apps:\n  - name: x\n    path: p\n    syncPolicy: ${syncPolicy}\n`, 'baton.yaml', 'repo-1');
const limitError = 'must be a number of objects (e.g. 5) or a percentage from 0% to 100% (e.g. "50%")';

describe('syncPolicy.allowEmpty and syncPolicy.pruneLimit', () => {
  it.each([
    ['{ allowEmpty: true }', { allowEmpty: true, pruneLimit: '50%' }],
    ['{ pruneLimit: "100%" }', { allowEmpty: false, pruneLimit: '100%' }],
    ['{ pruneLimit: 0% }', { allowEmpty: false, pruneLimit: '0%' }],
    ['{ pruneLimit: 5 }', { allowEmpty: false, pruneLimit: 5 }],
  ])('%s', (policy, expected) => {
    const { apps, errors } = parse(policy);
    expect(errors).toEqual([]);
    expect(apps[0].syncPolicy).toMatchObject(expected);
  });

  it.each([
    ['{ pruneLimit: "50" }', `baton.yaml:4:31: apps[0].syncPolicy.pruneLimit: ${limitError}`],
    ['{ pruneLimit: 150% }', `baton.yaml:4:31: apps[0].syncPolicy.pruneLimit: ${limitError}`],
    ['{ pruneLimit: -1 }', `baton.yaml:4:31: apps[0].syncPolicy.pruneLimit: ${limitError}`],
    ['{ pruneLimit: 2.5 }', `baton.yaml:4:31: apps[0].syncPolicy.pruneLimit: ${limitError}`],
    ['{ allowEmpty: "yes" }', 'baton.yaml:4:31: apps[0].syncPolicy.allowEmpty: must be true or false'],
  ])('%s is refused with its place', (policy, error) => {
    expect(parse(policy).errors.map((e) => e.format())).toEqual([error]);
  });
});
