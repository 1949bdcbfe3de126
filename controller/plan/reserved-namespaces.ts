import { isPreviewNamespace, reservedNamespaceReason } from '../apps/preview-names.js';
import { RenderError, type RenderedObject } from '../../renderer/index.js';

/**
 * Errors for the objects of an app (not a preview) that name a preview's
 * namespace: `metadata.namespace: pr-7`, or a Namespace `pr-7` itself. Such an
 * app would collide with request 7's preview, so it renders as a failure and
 * nothing of it is applied (invariant 1). A preview's own render is not
 * checked: every object of it is moved into its `pr-N` anyway.
 */
export function reservedNamespaceErrors(objects: readonly RenderedObject[]): RenderError[] {
  const errors: RenderError[] = [];
  for (const { object, source } of objects) {
    const what = `${object.kind} ${object.metadata.name ?? ''}`.trim();
    const namespace = object.metadata.namespace;
    if (namespace !== undefined && isPreviewNamespace(namespace)) {
      errors.push(RenderError.at('FORBIDDEN_NAME', source.file, source.line, 1, `${what}: metadata.namespace: ${reservedNamespaceReason(namespace)}; an app may not deploy there`));
    } else if (object.kind === 'Namespace' && object.apiVersion === 'v1' && object.metadata.name !== undefined && isPreviewNamespace(object.metadata.name)) {
      errors.push(RenderError.at('FORBIDDEN_NAME', source.file, source.line, 1, `${what}: metadata.name: ${reservedNamespaceReason(object.metadata.name)}; an app may not create it`));
    }
  }
  // Objects come in apply order; errors are read in file order.
  return errors.sort((a, b) => (a.data.file < b.data.file ? -1 : a.data.file > b.data.file ? 1 : a.data.line - b.data.line));
}
