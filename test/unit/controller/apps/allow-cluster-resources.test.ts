import { describe, expect, it } from 'vitest';
import { parseBatonYaml } from '../../../../controller/apps/parse-baton-yaml.js';

const parse = (line: string) => parseBatonYaml(`apps:\n  - name: x\n    path: p\n${line}`, 'baton.yaml', 'repo-1');

describe('allowClusterResources', () => {
  it('is off unless the app says true', () => {
    expect(parse('').apps[0].allowClusterResources).toBeUndefined();
    expect(parse('    allowClusterResources: false\n').apps[0].allowClusterResources).toBeUndefined();
    expect(parse('    allowClusterResources: true\n').apps[0].allowClusterResources).toBe(true);
  });

  it('anything but true or false is refused at its place, saying what the field allows', () => {
    expect(parse('    allowClusterResources: "yes"\n').errors.map((e) => e.format())).toEqual([
      'baton.yaml:4:28: apps[0].allowClusterResources: must be true or false (true lets the app write cluster-scoped kinds such as Node or ClusterRole, and into kube-system, kube-public and kube-node-lease)',
    ]);
  });

  it('a typo is an unknown field with a suggestion', () => {
    expect(parse('    allowClusterResource: true\n').errors.map((e) => e.format())[0]).toContain('did you mean "allowClusterResources"');
  });
});
