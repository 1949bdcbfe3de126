import { ImagePullError, type PullPolicy } from './image-types.js';

/** A reference normalized as docker's `reference.ParseNormalizedNamed` + `TagNameOnly` do. */
export interface ImageReference {
  /** `docker.io`, `gcr.io`, `127.0.0.1:5000`. */
  registry: string;
  /** Path inside the registry, e.g. `library/busybox`. */
  repository: string;
  /** Present unless the reference names only a digest. */
  tag?: string;
  /** `sha256:<hex>` when pinned. */
  digest?: string;
  /** Whether the user wrote a tag or a digest (decides the default pull policy). */
  explicitTagOrDigest: boolean;
  /** `docker.io/library/busybox:latest`, `repo:tag@sha256:…`, `repo@sha256:…`. */
  name: string;
}

const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const pathRe = new RegExp(`^${component}(?:/${component})*$`);
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainRe = new RegExp(`^(?:${domainComponent}(?:\\.${domainComponent})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`);
const tagRe = /^[\w][\w.-]{0,127}$/;
const digestRe = /^sha256:[a-f0-9]{64}$/;

export const DOCKER_HUB = 'docker.io';

export function invalidImageName(text: string): ImagePullError {
  return new ImagePullError(
    'InvalidImageName',
    `Failed to apply default image tag "${text}": couldn't parse image name "${text}": invalid reference format`,
  );
}

/** Parses and normalizes `text`; throws ImagePullError('InvalidImageName') as the kubelet words it. */
export function parseImageReference(text: string): ImageReference {
  const fail = () => invalidImageName(text);
  if (!text || /^[a-f0-9]{64}$/.test(text)) throw fail();
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestRe.test(digest)) throw fail();
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagRe.test(tag)) throw fail();
  }
  let registry = DOCKER_HUB;
  let repository = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    // docker's rule: the first component is a host only if it looks like one.
    if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) {
      registry = first;
      repository = rest.slice(slash + 1);
    }
  }
  if (!domainRe.test(registry) || !pathRe.test(repository)) throw fail();
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (`${registry}/${repository}`.length > 255) throw fail();
  const explicitTagOrDigest = tag !== undefined || digest !== undefined;
  if (tag === undefined && digest === undefined) tag = 'latest';
  const name = `${registry}/${repository}${tag !== undefined ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { registry, repository, tag, digest, explicitTagOrDigest, name };
}

/** What the API server defaults `imagePullPolicy` to for this image. */
export function defaultPullPolicy(ref: string): PullPolicy {
  const parsed = parseImageReference(ref);
  if (parsed.digest) return 'IfNotPresent';
  return parsed.tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** `docker.io/library/busybox`: the name without tag or digest. */
export function repositoryName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}
