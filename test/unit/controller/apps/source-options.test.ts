import { describe, expect, it } from 'vitest';
import { parseBatonYaml } from '../../../../controller/apps/parse-baton-yaml.js';

// baton.yaml's `directory:` (and `kustomize:`) read as Argo CD's source.directory / source.kustomize.
const parse = (text: string) => parseBatonYaml(text, 'baton.yaml', 'repo-1');
const messages = (text: string) => parse(text).errors.map((e) => `${e.data.file}:${e.data.line}:${e.data.col}: ${e.message}`);

describe('baton.yaml directory:', () => {
  it('keeps recurse, include and exclude, and leaves the spec without them when not given', () => {
    const { apps, errors } = parse(`apps:
  - name: guestbook
    path: apps/guestbook
    directory: { recurse: true, include: "{*.yaml,*.json}", exclude: "tests/*" }
  - name: plain
    path: apps/plain
`);
    expect(errors).toEqual([]);
    expect(apps[0].directory).toEqual({ recurse: true, include: '{*.yaml,*.json}', exclude: 'tests/*' });
    expect('directory' in apps[1]).toBe(false);
  });

  it('names a wrong type, an unknown field and a bundled chart', () => {
    expect(
      messages(`apps:
  - name: a
    path: apps/a
    directory: { recurse: yes please, includes: "*.yaml" }
  - name: b
    chart: web-service
    directory: { recurse: true }
`),
    ).toEqual([
      'baton.yaml:4:27: must be true or false',
      'baton.yaml:4:39: unknown field (did you mean "include"?)',
      'baton.yaml:7:5: applies to a path (a directory of manifests), not a bundled chart',
    ]);
  });
});
