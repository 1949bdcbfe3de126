import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImageStore, type OpenedImageStore } from '../../runtime/images/index.js';
import { parseRegistriesConfig } from '../../runtime/images/registries-config.js';
import { buildImage, buildIndex, pushImage, startRegistry, type LocalRegistry } from '../support/oci-registry.js';

let registry: LocalRegistry;
const dirs: string[] = [];
const stores: OpenedImageStore[] = [];

function store(registriesYaml?: string, extra: { onProgress?: (ref: string, done: number, total: number) => void } = {}): OpenedImageStore {
  const dir = mkdtempSync(join(tmpdir(), 'baton-images-'));
  dirs.push(dir);
  const s = openImageStore({ dir, registries: registriesYaml ? parseRegistriesConfig(registriesYaml) : undefined, disableDefaultEndpoint: true, ...extra });
  stores.push(s);
  return s;
}

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await registry?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('pulls from a local registry', () => {
  it('pulls an OCI image: layers flattened, whiteouts applied, config read', async () => {
    const image = buildImage({
      layers: [{ '/app/a.txt': 'a', '/app/gone.txt': 'x' }, { '/app/gone.txt': { whiteout: true }, '/app/b.txt': { content: 'b', mode: 0o600, uid: 1000 } }],
      entrypoint: ['/bin/sh'],
      cmd: ['-c', 'echo hi'],
      env: ['PATH=/bin'],
      workingDir: '/app',
      user: '1000',
    });
    await pushImage(registry, 'team/oci:v1', image);
    const s = store();
    const { image: got, pulled } = await s.ensure(`${registry.host}/team/oci:v1`, { policy: 'IfNotPresent' });
    expect(pulled).toBe(true);
    expect(got.digest).toBe(image.manifestDigest);
    expect(got.imageID).toBe(`${registry.host}/team/oci@${image.manifestDigest}`);
    expect(got.config).toEqual({ entrypoint: ['/bin/sh'], cmd: ['-c', 'echo hi'], env: ['PATH=/bin'], workingDir: '/app', user: '1000' });
    expect(readFileSync(join(got.rootfs, 'app/a.txt'), 'utf8')).toBe('a');
    expect(existsSync(join(got.rootfs, 'app/gone.txt'))).toBe(false);
    expect(statSync(join(got.rootfs, 'app/b.txt')).uid).toBe(1000);
    expect(statSync(join(got.rootfs, 'bin/busybox')).isFile()).toBe(true);
    expect(got.size).toBe(image.layers.reduce((n, l) => n + l.blob.length, 0));
  });

  it('pulls a docker schema 2 image', async () => {
    const image = buildImage({ format: 'docker', layers: [{ '/etc/motd': 'docker' }] });
    await pushImage(registry, 'team/docker:v1', image);
    const { image: got } = await store().ensure(`${registry.host}/team/docker:v1`, { policy: 'IfNotPresent' });
    expect(got.digest).toBe(image.manifestDigest);
    expect(readFileSync(join(got.rootfs, 'etc/motd'), 'utf8')).toBe('docker');
  });

  it('picks linux/amd64 from an index whose first entry is arm64', async () => {
    const arm = buildImage({ architecture: 'arm64', layers: [{ '/arch': 'arm64' }] });
    const amd = buildImage({ layers: [{ '/arch': 'amd64' }] });
    const index = buildIndex([
      { image: arm, platform: { os: 'linux', architecture: 'arm64' } },
      { image: amd, platform: { os: 'linux', architecture: 'amd64' } },
    ]);
    await pushImage(registry, 'team/multi:v1', arm, { index, indexImages: [amd] });
    const { image: got } = await store().ensure(`${registry.host}/team/multi:v1`, { policy: 'IfNotPresent' });
    expect(got.digest).toBe(amd.manifestDigest);
    expect(readFileSync(join(got.rootfs, 'arch'), 'utf8')).toBe('amd64');
  });

  it('pulls docker.io and gcr.io names through a mirror, with the registry host dropped from the path', async () => {
    const image = buildImage({ layers: [{ '/who': 'mirrored' }] });
    await pushImage(registry, 'library/busybox:1.36', image);
    await pushImage(registry, 'google-samples/x:v5', image);
    const s = store(`mirrors:\n  docker.io:\n    endpoint: ["${registry.url}"]\n  gcr.io:\n    endpoint: ["${registry.url}"]\n`);
    const hub = await s.ensure('busybox:1.36', { policy: 'IfNotPresent' });
    expect(hub.image.name).toBe('docker.io/library/busybox:1.36');
    expect(hub.image.imageID).toBe(`docker.io/library/busybox@${image.manifestDigest}`);
    const gcr = await s.ensure('gcr.io/google-samples/x:v5', { policy: 'IfNotPresent' });
    expect(readFileSync(join(gcr.image.rootfs, 'who'), 'utf8')).toBe('mirrored');
  });

  it('says which endpoint answered what when an image is missing', async () => {
    const s = store(`mirrors:\n  docker.io:\n    endpoint: ["http://127.0.0.1:1", "${registry.url}"]\n`);
    const err = await s.ensure('nope:1', { policy: 'IfNotPresent' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'ErrImagePull' });
    expect((err as Error).message).toBe(
      `failed to pull and unpack image "docker.io/library/nope:1": failed to resolve reference: ` +
        `http://127.0.0.1:1/v2/library/nope/manifests/1: dial tcp 127.0.0.1:1: connect: connection refused; ` +
        `${registry.url}/v2/library/nope/manifests/1: manifest unknown: manifest unknown`,
    );
  });
});
