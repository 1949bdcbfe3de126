import type { Request } from 'express';
import { badRequest, unsupportedMediaType } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { apiVersionOf, type ResourceType } from '../../resources/registry.js';
import { decodeBody, isPlainObject } from './decode-object.js';
import { noteDuplicateFields } from './field-validation.js';
import { isObjectMediaType, mediaTypeOf } from './media-type.js';
import { readBody } from './read-body.js';

const isJson = (contentType: string | undefined) => mediaTypeOf(contentType) === 'application/json';

/** Reads a create/update body and checks it belongs at this URL (kind, apiVersion, namespace, name). */
export async function readObjectBody(req: Request, type: ResourceType, namespace: string | undefined, name?: string): Promise<KubeObject> {
  const contentType = req.headers['content-type'];
  if (!isObjectMediaType(contentType)) {
    req.resume();
    throw unsupportedMediaType(contentType ?? '');
  }
  const raw = await readBody(req);
  const value = decodeBody(raw, contentType);
  if (isJson(contentType)) noteDuplicateFields(req, raw.toString('utf8'));
  if (!isPlainObject(value)) throw badRequest(`the request body must be a ${type.kind} object, not ${Array.isArray(value) ? 'a list' : typeof value}`);
  return checkObjectFor(value as KubeObject, type, namespace, name);
}

/** The rules Kubernetes applies to an object sent to a URL; also used on patch results. */
export function checkObjectFor(obj: KubeObject, type: ResourceType, namespace: string | undefined, name?: string): KubeObject {
  const expectedVersion = apiVersionOf(type);
  if (obj.apiVersion !== undefined && obj.apiVersion !== expectedVersion) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expectedVersion})`);
  }
  if (obj.kind !== undefined && obj.kind !== type.kind) {
    throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${type.kind}) for ${expectedVersion} at this URL`);
  }
  if (obj.metadata !== undefined && !isPlainObject(obj.metadata)) throw badRequest('metadata must be an object');
  const metadata = { ...(obj.metadata ?? {}) };
  if (type.namespaced) {
    if (metadata.namespace && namespace && metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (namespace) metadata.namespace = namespace;
  } else if (metadata.namespace) {
    delete metadata.namespace;
  }
  if (name !== undefined) {
    if (metadata.name && metadata.name !== name) {
      throw badRequest(`the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`);
    }
    metadata.name = name;
  }
  return { ...obj, apiVersion: expectedVersion, kind: type.kind, metadata };
}
