import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskTree, MemoryTree, renderApp, type RenderAppInput, type RenderResult } from '../../../renderer/index.js';

// Shapes taken from public GitOps repositories (test/fixtures/real-repos): each renders as Argo CD
// would read it, or fails with one message that says what to do.
const fixtures = join(import.meta.dirname, '../../fixtures/real-repos');
const repo = new DiskTree(fixtures);

function render(path: string, extra: Partial<RenderAppInput> = {}): Promise<RenderResult> {
  return renderApp({ repo, path, release: { name: 'app', namespace: 'shop' }, valuesName: 'baton.yaml', ...extra });
}

const summary = (r: RenderResult) => r.objects.map((o) => `${o.object.kind}/${o.object.metadata.name} ${o.source.file}:${o.source.line}`);
const messages = (r: RenderResult) => r.errors.map((e) => e.format());

describe('a directory of plain manifests', () => {
  it('reads *.yaml, *.yml and *.json and leaves README.md, Makefile, scripts, pictures and subdirectories alone', async () => {
    const r = await render('directory-app');
    expect(messages(r)).toEqual([]);
    expect(summary(r)).toEqual([
      'ConfigMap/guestbook-config directory-app/config.json:1',
      'Service/guestbook directory-app/service.yml:1',
      'Deployment/guestbook directory-app/deployment.yaml:1',
    ]);
  });

  it('reads subdirectories with directory.recurse, where a YAML file that is not an object is an error at its line', async () => {
    const r = await render('directory-app', { directory: { recurse: true } });
    expect(messages(r)).toEqual(['directory-app/docs/notes.yaml:2:1: not a Kubernetes object (no apiVersion, kind or metadata); leave the file out with directory.exclude or .batonignore']);
  });

  it('keeps only what directory.include names and drops what directory.exclude names', async () => {
    const included = await render('directory-app', { directory: { recurse: true, include: '{*.yaml,*.json}', exclude: 'docs/*' } });
    expect(summary(included)).toEqual(['ConfigMap/guestbook-config directory-app/config.json:1', 'Deployment/guestbook directory-app/deployment.yaml:1']);
    const excluded = await render('directory-app', { directory: { exclude: 'service.*' } });
    expect(summary(excluded).map((s) => s.split(' ')[0])).toEqual(['ConfigMap/guestbook-config', 'Deployment/guestbook']);
  });

  it('reads a symlinked directory like any other when recursing', async () => {
    const tree = new MemoryTree({
      'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
      'app/shared': { symlink: '../common' },
      'common/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
      'common/README.md': '# shared',
    });
    const r = await renderApp({ repo: tree, path: 'app', directory: { recurse: true }, release: { name: 'app', namespace: 'shop' } });
    expect(summary(r)).toEqual(['ConfigMap/a app/cm.yaml:1', 'ConfigMap/b app/shared/cm.yaml:1']);
  });
});
