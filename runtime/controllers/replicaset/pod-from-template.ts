import { randomInt } from 'node:crypto';
import type { KubeObject } from '../../kube/object.js';
import { newControllerRef } from '../controller-ref.js';

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_NAME = 63;
const SUFFIX = 5;

/** `<prefix><5 random>` as the API server's generateName makes it (prefix cut so the name fits 63 characters). */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < SUFFIX; i++) suffix += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return prefix.slice(0, MAX_NAME - SUFFIX) + suffix;
}

/** A pod for `owner` from `template` (controller.GetPodFromTemplate), with a generated name. */
export function podFromTemplate(owner: KubeObject, template: any): KubeObject {
  const meta = template?.metadata ?? {};
  const prefix = `${owner.metadata.name}-`;
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: generateName(prefix),
      generateName: prefix,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      ownerReferences: [newControllerRef(owner)],
    },
    spec: structuredClone(template?.spec ?? {}),
  };
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}
