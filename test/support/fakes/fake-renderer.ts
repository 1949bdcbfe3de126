import type { AppSpec, RepositorySpec } from '../../../controller/apps/app-spec.js';
import { APP_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, REVISION_ANNOTATION } from '../../../controller/apps/track-objects.js';
import type { DroppedObject } from '../../../controller/plan/preview-transform.js';
import type { Rendered, RendererPort } from '../../../controller/sync/ports/renderer-port.js';
import type { KubeObject } from '../../../runtime/kube/object.js';

/**
 * The RendererPort without templates: each app renders a ConfigMap and a
 * Deployment named after it, carrying baton's tracking labels and the
 * revision. What they hold is the revision's "content" (the revision itself
 * unless set), so two commits that change nothing of the app render the same
 * digest. A revision may render given objects or errors instead.
 */
export class FakeRenderer implements RendererPort {
  /** `app@revision` of each render, in order. */
  readonly renders: string[] = [];
  private readonly content = new Map<string, string>();
  private readonly extra = new Map<string, KubeObject[]>();
  private readonly errors = new Map<string, string[]>();
  private readonly only = new Map<string, KubeObject[]>();
  private readonly dropped = new Map<string, DroppedObject[]>();

  /** The app renders the same at every revision given the same `content`. */
  setContent(revision: string, content: string): void {
    this.content.set(revision, content);
  }

  /** At `revision` the app also renders these objects. */
  addObjects(revision: string, objects: KubeObject[]): void {
    this.extra.set(revision, objects);
  }

  /** At `revision` the app renders exactly these objects (none: a commit that empties it). */
  renderOnly(revision: string, objects: KubeObject[]): void {
    this.only.set(revision, objects);
  }

  /** At `revision` a preview of the app leaves these out of `pr-N` (as planApp says). */
  leaveOut(revision: string, dropped: DroppedObject[]): void {
    this.dropped.set(revision, dropped);
  }

  failAt(revision: string, errors: string[]): void {
    this.errors.set(revision, errors);
  }

  async render(app: AppSpec, _repo: RepositorySpec, revision: string): Promise<Rendered> {
    this.renders.push(`${app.name}@${revision}`);
    const errors = this.errors.get(revision);
    if (errors) return { ok: false, errors };
    const content = this.content.get(revision) ?? revision;
    const extra = this.extra.get(revision) ?? [];
    // A preview renders under the declared app's name (as planApp does), tracked under its own.
    const only = this.only.get(revision);
    const objects = (only ?? [...renderedObjects({ name: app.instance?.app ?? app.name }, content), ...extra]).map((o) => tracked(o, app.name, revision));
    const digest = `sha256:${app.name}:${app.namespace}:${content}:${(only ?? extra).map((o) => `${o.kind}/${o.metadata.name}`).join(',')}${only ? ':only' : ''}`;
    const dropped = app.instance ? this.dropped.get(revision) : undefined;
    return { ok: true, objects, digest, ...(dropped ? { dropped } : {}) };
  }
}

/** The objects an app renders with `content`. */
export function renderedObjects(app: Pick<AppSpec, 'name'>, content: string): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${app.name}-config` }, data: { content } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app.name },
      spec: { replicas: 1, selector: { matchLabels: { app: app.name } }, template: { metadata: { labels: { app: app.name } }, spec: { containers: [{ name: 'web', image: `web:${content}` }] } } },
    },
  ];
}

function tracked(object: KubeObject, app: string, revision: string): KubeObject {
  const o = structuredClone(object);
  o.metadata.labels = { ...o.metadata.labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [APP_LABEL]: app };
  o.metadata.annotations = { ...o.metadata.annotations, [REVISION_ANNOTATION]: revision };
  return o;
}
