import { describe, expect, it } from 'vitest';
import { MemoryTree, renderManifests } from '../../../renderer/index.js';

const hookJob = (meta: string, annotations: string) => `apiVersion: batch/v1
kind: Job
metadata:
  ${meta}
  annotations:
    ${annotations}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: run, image: tools }]
`;

describe('renderer: hooks and waves as Argo CD writes them', () => {
  it('a hook may have only generateName (two of them are not duplicates); an ordinary object still needs a name', async () => {
    const r = await renderManifests({
      tree: new MemoryTree({
        'app/a.yaml': hookJob('generateName: migrate-', 'argocd.argoproj.io/hook: PreSync'),
        'app/b.yaml': hookJob('generateName: migrate-', 'argocd.argoproj.io/hook: PostSync'),
      }),
      path: 'app',
      namespace: 'shop',
    });
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => o.object.metadata.generateName)).toEqual(['migrate-', 'migrate-']);
    const plain = await renderManifests({ tree: new MemoryTree({ 'app/c.yaml': hookJob('generateName: job-', 'team: a') }), path: 'app', namespace: 'shop' });
    expect(plain.errors.map((e) => e.format())[0]).toMatch(/^app\/c\.yaml:\d+:\d+: metadata\.name is required/);
  });

  it('a wrong hook or wave annotation is an error at its file and line', async () => {
    const r = await renderManifests({
      tree: new MemoryTree({
        'app/job.yaml': hookJob('name: migrate', 'argocd.argoproj.io/hook: BeforeSync'),
        'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    argocd.argoproj.io/sync-wave: "one"\n',
      }),
      path: 'app',
      namespace: 'shop',
    });
    const errors = r.errors.map((e) => e.format()).sort();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^app\/cm\.yaml:6:\d+: .*annotation argocd\.argoproj\.io\/sync-wave: "one" is not an integer/);
    expect(errors[1]).toMatch(/^app\/job\.yaml:6:\d+: .*annotation argocd\.argoproj\.io\/hook: "BeforeSync" is not a hook baton runs/);
  });
});
