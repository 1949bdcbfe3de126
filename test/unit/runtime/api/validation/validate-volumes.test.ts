import { describe, expect, it } from 'vitest';
import { StatusError } from '../../../../../runtime/errors/status-error.js';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { resources, type ResourceName } from '../../../../../runtime/resources/registry.js';
import { validateObject } from '../../../../../runtime/api/validation/validate-object.js';

function causesOf(resource: ResourceName, spec: unknown): string[] {
  try {
    validateObject({ apiVersion: 'v1', kind: resources[resource].kind, metadata: { name: 'x' }, spec } as KubeObject, resources[resource]);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(422);
    return (err as StatusError).details!.causes!.map((c) => `${c.field}: ${c.message}`);
  }
}

const pod = (volumes: unknown[], mounts: unknown[] = []) => ({ volumes, containers: [{ name: 'app', image: 'app:1', volumeMounts: mounts }] });
const cm = (items: unknown[]) => ({ name: 'v', configMap: { name: 'c', items } });
const downward = (items: unknown[]) => ({ name: 'v', downwardAPI: { items } });

describe('volume validation refuses what Kubernetes refuses, worded as it words it', () => {
  const cases: Array<[string, unknown, string[]]> = [
    ['a relative item path is fine', pod([cm([{ key: 'a', path: 'dir/a.conf' }])]), []],
    ['an item path climbing out', pod([cm([{ key: 'a', path: '../../x' }])]), ['spec.volumes[0].configMap.items[0].path: Invalid value: "../../x": must not contain \'..\'']],
    ['an absolute item path', pod([cm([{ key: 'a', path: '/etc/passwd' }])]), ['spec.volumes[0].configMap.items[0].path: Invalid value: "/etc/passwd": must be a relative path']],
    ['absolute and climbing: both problems', pod([cm([{ key: 'a', path: '/a/../b' }])]), [
      'spec.volumes[0].configMap.items[0].path: Invalid value: "/a/../b": must be a relative path',
      'spec.volumes[0].configMap.items[0].path: Invalid value: "/a/../b": must not contain \'..\'',
    ]],
    ['a path starting with .. (the writer\'s reserved names)', pod([cm([{ key: 'a', path: '..data' }])]), ['spec.volumes[0].configMap.items[0].path: Invalid value: "..data": must not start with \'..\'']],
    ['dots inside a name are fine', pod([cm([{ key: 'a', path: 'a..b/c..' }])]), []],
    ['an empty path and key are required', pod([{ name: 'v', secret: { secretName: 's', items: [{ key: '', path: '' }] } }]), [
      'spec.volumes[0].secret.items[0].key: Required value',
      'spec.volumes[0].secret.items[0].path: Required value',
    ]],
    ['modes are 0..0777', pod([{ name: 'v', secret: { secretName: 's', defaultMode: 0o1777, items: [{ key: 'k', path: 'k', mode: -1 }] } }]), [
      'spec.volumes[0].secret.defaultMode: Invalid value: 1023: must be a number between 0 and 0777 (octal), both inclusive',
      'spec.volumes[0].secret.items[0].mode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive',
    ]],
    ['downwardAPI items are reported at the volume, as Kubernetes does', pod([downward([{ path: '../x', fieldRef: { fieldPath: 'metadata.name' } }])]), ['spec.volumes[0].downwardAPI.path: Invalid value: "../x": must not contain \'..\'']],
    ['downwardAPI fields a volume cannot show', pod([downward([{ path: 'a', fieldRef: { fieldPath: 'spec.nodeName' } }, { path: 'b', fieldRef: { fieldPath: 'bogus' } }])]), [
      'spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: "spec.nodeName": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"',
      'spec.volumes[0].downwardAPI.fieldRef.fieldPath: Invalid value: "bogus": error converting fieldPath: field label not supported: bogus',
    ]],
    ['downwardAPI needs a field, and a resource needs its container', pod([downward([{ path: 'a' }, { path: 'b', resourceFieldRef: { resource: 'limits.cpu' } }])]), [
      'spec.volumes[0].downwardAPI: Required value: one of fieldRef and resourceFieldRef is required',
      'spec.volumes[0].downwardAPI.resourceFieldRef.containerName: Required value',
    ]],
    ['subscripted labels are fine', pod([downward([{ path: 'a', fieldRef: { fieldPath: "metadata.labels['app']" } }])]), []],
    ['projected sources', pod([{ name: 'v', projected: { sources: [{ configMap: { name: 'c', items: [{ key: 'a', path: '/a' }] } }, { secret: { name: 's', items: [{ key: 'b', path: 'x/../../b' }] } }, { downwardAPI: { items: [{ path: '../n', fieldRef: { fieldPath: 'metadata.name' } }] } }] } }]), [
      'spec.volumes[0].projected.sources[0].configMap.items[0].path: Invalid value: "/a": must be a relative path',
      'spec.volumes[0].projected.sources[1].secret.items[0].path: Invalid value: "x/../../b": must not contain \'..\'',
      'spec.volumes[0].projected.sources[2].downwardAPI.path: Invalid value: "../n": must not contain \'..\'',
    ]],
    ['hostPath types', pod([{ name: 'v', hostPath: { path: '/srv/../etc', type: 'Dir' } }]), [
      'spec.volumes[0].hostPath.path: Invalid value: "/srv/../etc": must not contain \'..\'',
      'spec.volumes[0].hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
    ]],
    ['volume names are labels and unique (they become directories)', pod([{ name: '../up', emptyDir: {} }, { name: 'a', emptyDir: {} }, { name: 'a', emptyDir: {} }]), [
      expect.stringMatching(/^spec\.volumes\[0\]\.name: Invalid value: "\.\.\/up": a lowercase RFC 1123 label/) as unknown as string,
      'spec.volumes[2].name: Duplicate value: "a"',
    ]],
    ['a subPath climbing out or absolute', pod([{ name: 'v', emptyDir: {} }], [{ name: 'v', mountPath: '/a', subPath: '../../etc' }, { name: 'v', mountPath: '/b', subPath: '/etc' }, { name: 'v', mountPath: '/c', subPath: 'ok/..x' }]), [
      'spec.containers[0].volumeMounts.subPath: Invalid value: "../../etc": must not contain \'..\'',
      'spec.containers[0].volumeMounts.subPath: Invalid value: "/etc": must be a relative path',
    ]],
    ['a subPathExpr climbing out or absolute, or set beside a subPath', pod([{ name: 'v', emptyDir: {} }], [{ name: 'v', mountPath: '/a', subPathExpr: '$(POD)/../..' }, { name: 'v', mountPath: '/b', subPath: 'logs', subPathExpr: '/$(POD)' }, { name: 'v', mountPath: '/c', subPathExpr: '$(POD)' }]), [
      'spec.containers[0].volumeMounts.subPathExpr: Invalid value: "$(POD)/../..": must not contain \'..\'',
      'spec.containers[0].volumeMounts[1].subPathExpr: Invalid value: "/$(POD)": subPathExpr and subPath are mutually exclusive',
      'spec.containers[0].volumeMounts.subPathExpr: Invalid value: "/$(POD)": must be a relative path',
    ]],
  ];
  for (const [name, spec, expected] of cases) {
    it(name, () => expect(causesOf('pods', spec)).toEqual(expected));
  }

  it('checks pod templates of Deployments and ReplicaSets too', () => {
    const workload = { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: pod([cm([{ key: 'a', path: '../../x' }])]) } };
    for (const resource of ['deployments', 'replicasets'] as const) {
      expect(causesOf(resource, workload)).toEqual(['spec.template.spec.volumes[0].configMap.items[0].path: Invalid value: "../../x": must not contain \'..\'']);
    }
  });
});
