import { describe, expect, it } from 'vitest';
import { defaultPullPolicy, parseImageReference } from '../../../../runtime/images/image-reference.js';

const hex = 'a'.repeat(64);

describe('parseImageReference normalizes as docker does', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest', 'docker.io', 'library/busybox'],
    ['team/app:v1', 'docker.io/team/app:v1', 'docker.io', 'team/app'],
    ['index.docker.io/library/nginx:1', 'docker.io/library/nginx:1', 'docker.io', 'library/nginx'],
    ['localhost:5000/app', 'localhost:5000/app:latest', 'localhost:5000', 'app'],
    ['localhost/app', 'localhost/app:latest', 'localhost', 'app'],
    ['127.0.0.1:5000/a/b:tag', '127.0.0.1:5000/a/b:tag', '127.0.0.1:5000', 'a/b'],
    ['gcr.io/google-samples/x:v5', 'gcr.io/google-samples/x:v5', 'gcr.io', 'google-samples/x'],
    [`repo@sha256:${hex}`, `docker.io/library/repo@sha256:${hex}`, 'docker.io', 'library/repo'],
    [`repo:tag@sha256:${hex}`, `docker.io/library/repo:tag@sha256:${hex}`, 'docker.io', 'library/repo'],
    ['team/a_b.c-d__e/f---g:1.0-rc_1', 'docker.io/team/a_b.c-d__e/f---g:1.0-rc_1', 'docker.io', 'team/a_b.c-d__e/f---g'],
  ])('%s → %s', (text, name, registry, repository) => {
    expect(parseImageReference(text)).toMatchObject({ name, registry, repository });
  });

  it.each(['', 'Busybox', 'team/App:v1', 'repo@sha256:abc', 'repo@md5:' + hex, 'repo:', 'repo:-bad', hex, 'a//b', '-a/b', 'repo:t@', 'https://gcr.io/x', 'a_b.c/x'])(
    '%j is an InvalidImageName with the kubelet wording',
    (text) => {
      expect(() => parseImageReference(text)).toThrow(
        expect.objectContaining({
          reason: 'InvalidImageName',
          message: `Failed to apply default image tag "${text}": couldn't parse image name "${text}": invalid reference format`,
        }),
      );
    },
  );
});

describe('defaultPullPolicy', () => {
  it.each([
    ['busybox', 'Always'],
    ['busybox:latest', 'Always'],
    ['busybox:1.36', 'IfNotPresent'],
    [`busybox@sha256:${hex}`, 'IfNotPresent'],
    [`busybox:latest@sha256:${hex}`, 'IfNotPresent'],
  ])('%s → %s', (ref, policy) => expect(defaultPullPolicy(ref)).toBe(policy));
});
