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

describe('baton.yaml kustomize:', () => {
  it("keeps Argo CD's source.kustomize fields", () => {
    const { apps, errors } = parse(`apps:
  - name: podinfo
    path: deploy/overlays/prod
    kustomize:
      images: [ghcr.io/stefanprodan/podinfo:6.5.1]
      namePrefix: eu-
      nameSuffix: -v2
      commonLabels: { team: web }
      patches:
        - target: { kind: Deployment, name: podinfo }
          patch: |-
            - op: replace
              path: /spec/replicas
              value: 5
        - path: extra-patch.yaml
`);
    expect(errors).toEqual([]);
    expect(apps[0].kustomize).toEqual({
      images: ['ghcr.io/stefanprodan/podinfo:6.5.1'],
      namePrefix: 'eu-',
      nameSuffix: '-v2',
      commonLabels: { team: 'web' },
      patches: [{ target: { kind: 'Deployment', name: 'podinfo' }, patch: '- op: replace\n  path: /spec/replicas\n  value: 5' }, { path: 'extra-patch.yaml' }],
    });
  });

  it('names each mistake at its line', () => {
    expect(
      messages(`apps:
  - name: a
    path: deploy
    kustomize:
      image: [nginx:1]
      commonLabels: { replicas: 3 }
      patches:
        - target: { kind: Deployment }
  - name: b
    chart: web-service
    kustomize: { namePrefix: b- }
`),
    ).toEqual([
      'baton.yaml:5:7: unknown field (did you mean "images"?)',
      'baton.yaml:6:33: must be a string (quote numbers and booleans)',
      'baton.yaml:8:11: needs exactly one of patch (inline) or path (a file)',
      'baton.yaml:11:5: applies to a path holding a kustomization.yaml, not a bundled chart',
    ]);
  });
});
