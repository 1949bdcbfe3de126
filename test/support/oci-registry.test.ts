import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MEDIA_TYPES,
  buildImage,
  buildIndex,
  machineHas,
  missingToolsMessage,
  pushImage,
  registryRequest,
  sha256Digest,
  startRegistry,
  writeDockerArchive,
  writeOciArchive,
  type LocalRegistry,
  type TestImage,
} from './oci-registry.js';

const run = promisify(execFile);
const ACCEPT_ALL = [MEDIA_TYPES.oci.manifest, MEDIA_TYPES.oci.index, MEDIA_TYPES.docker.manifest, MEDIA_TYPES.docker.index].join(', ');

let work: string;
const registries: LocalRegistry[] = [];

beforeAll(async () => {
  const missing = machineHas(['docker-registry', '/bin/busybox', 'tar', 'skopeo']);
  if (missing.length > 0) throw new Error(missingToolsMessage(missing));
  work = await mkdtemp(join(tmpdir(), 'baton-oci-kit-'));
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.stop()));
  if (work) await rm(work, { recursive: true, force: true });
});

async function registry(options?: Parameters<typeof startRegistry>[0]): Promise<LocalRegistry> {
  const r = await startRegistry(options);
  registries.push(r);
  return r;
}

async function expectManifest(r: LocalRegistry, repoAndTag: string, digest: string, mediaType: string, auth?: { username: string; password: string }) {
  const [repo, tag] = repoAndTag.split(':');
  const res = await registryRequest(r, 'GET', `/v2/${repo}/manifests/${tag}`, { headers: { accept: ACCEPT_ALL }, auth });
  expect(res.status, res.body.toString()).toBe(200);
  expect(res.headers['docker-content-digest']).toBe(digest);
  expect(res.headers['content-type']).toBe(mediaType);
  expect(sha256Digest(res.body)).toBe(digest);
  return res;
}

describe('oci test kit against docker-registry', () => {
  const web = buildImage({
    cmd: ['httpd', '-f', '-p', '8080'],
    env: ['PATH=/bin', 'GREETING=hi'],
    workingDir: '/srv',
    user: 'app',
    exposedPorts: ['8080/tcp'],
    layers: [
      { '/srv/index.html': 'hello\n', '/etc/motd': 'welcome\n', '/var/cache/x': 'x' },
      { '/etc/motd': { whiteout: true }, '/var/cache': { opaque: true }, '/srv/run.sh': { content: '#!/bin/sh\necho run\n', mode: 0o755 } },
    ],
  });
  const legacy = buildImage({ format: 'docker', entrypoint: ['sleep'], cmd: ['3600'] });

  it('pushes an OCI and a docker image and serves their manifests back by tag', async () => {
    const r = await registry();
    expect(r.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(r.url).toBe(`http://${r.host}`);
    await pushImage(r, 'team/web:v1', web);
    await pushImage(r, 'team/legacy:v1', legacy);
    // Pushing again finds every blob present and only re-puts the manifest.
    await pushImage(r, 'team/web:v1', web);

    const oci = await expectManifest(r, 'team/web:v1', web.manifestDigest, MEDIA_TYPES.oci.manifest);
    expect(JSON.parse(oci.body.toString()).layers).toHaveLength(3);
    await expectManifest(r, 'team/legacy:v1', legacy.manifestDigest, MEDIA_TYPES.docker.manifest);

    // distribution 2.8 hides OCI manifests from clients that do not ask for them.
    const dockerOnly = await registryRequest(r, 'GET', '/v2/team/web/manifests/v1', { headers: { accept: MEDIA_TYPES.docker.manifest } });
    expect(dockerOnly.status).toBe(404);
    // ...and rewrites schema 2 into a signed schema 1 (another digest) for clients sending no Accept.
    const noAccept = await registryRequest(r, 'GET', '/v2/team/legacy/manifests/v1');
    expect(noAccept.headers['content-type']).toBe('application/vnd.docker.distribution.manifest.v1+prettyjws');

    const config = await registryRequest(r, 'GET', `/v2/team/web/blobs/${web.configDigest}`);
    const parsed = JSON.parse(config.body.toString());
    expect(parsed).toMatchObject({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['httpd', '-f', '-p', '8080'], Env: ['PATH=/bin', 'GREETING=hi'], WorkingDir: '/srv', User: 'app', ExposedPorts: { '8080/tcp': {} } },
      rootfs: { type: 'layers', diff_ids: web.layers.map((l) => l.diffId) },
    });
    const layer = await registryRequest(r, 'GET', `/v2/team/web/blobs/${web.layers[2].digest}`);
    expect(sha256Digest(layer.body)).toBe(web.layers[2].digest);
  });

  it('pushes a multi-arch index whose first entry is not runnable here', async () => {
    const r = await registry();
    const arm = buildImage({ architecture: 'arm64', cmd: ['echo', 'arm'] });
    for (const format of ['oci', 'docker'] as const) {
      const amd = buildImage({ format, cmd: ['echo', format] });
      const armOfFormat = format === 'oci' ? arm : buildImage({ format, architecture: 'arm64' });
      const index = buildIndex(
        [
          { image: armOfFormat, platform: { os: 'linux', architecture: 'arm64' } },
          { image: amd, platform: { os: 'linux', architecture: 'amd64' } },
        ],
        format,
      );
      await pushImage(r, `team/multi-${format}:v1`, amd, { index, indexImages: [armOfFormat] });
      const res = await expectManifest(r, `team/multi-${format}:v1`, index.digest, MEDIA_TYPES[format].index);
      expect(JSON.parse(res.body.toString()).manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture)).toEqual(['arm64', 'amd64']);
      const child = await registryRequest(r, 'GET', `/v2/team/multi-${format}/manifests/${amd.manifestDigest}`, { headers: { accept: ACCEPT_ALL } });
      expect(child.status).toBe(200);
    }
  });

  it('an auth registry refuses anonymous clients and accepts basic auth', async () => {
    const auth = { username: 'ci', password: 'p4ss word' };
    const r = await registry({ auth });
    const anonymous = await registryRequest(r, 'GET', '/v2/');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="baton-test"');
    await expect(pushImage(r, 'team/web:v1', web)).rejects.toThrow(/401/);
    expect((await registryRequest(r, 'GET', '/v2/', { auth: { ...auth, password: 'wrong' } })).status).toBe(401);

    await pushImage(r, 'team/web:v1', web, { auth });
    await expectManifest(r, 'team/web:v1', web.manifestDigest, MEDIA_TYPES.oci.manifest, auth);
    expect((await registryRequest(r, 'GET', '/v2/team/web/manifests/v1', { headers: { accept: ACCEPT_ALL } })).status).toBe(401);
  });

  it('a TLS registry is trusted through its own CA only', async () => {
    const r = await registry({ tls: true });
    expect(r.url).toBe(`https://${r.host}`);
    expect(r.caPem).toContain('BEGIN CERTIFICATE');
    await expect(registryRequest({ url: r.url }, 'GET', '/v2/')).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    await pushImage(r, 'team/legacy:v1', legacy);
    await expectManifest(r, 'team/legacy:v1', legacy.manifestDigest, MEDIA_TYPES.docker.manifest);
    const { stdout } = await run('skopeo', ['inspect', '--raw', '--cert-dir', dirname(r.caFile!), `docker://${r.host}/team/legacy:v1`]);
    expect(sha256Digest(Buffer.from(stdout))).toBe(legacy.manifestDigest);
  });

  it('stop() kills the registry and removes its directory', async () => {
    const r = await startRegistry();
    await r.stop();
    await expect(registryRequest(r, 'GET', '/v2/')).rejects.toThrow(/ECONNREFUSED/);
    await expect(run('test', ['-e', r.dir])).rejects.toThrow();
    await r.stop();
  });

  it('writes an OCI archive skopeo can read', async () => {
    const file = join(work, 'web-oci.tar');
    await writeOciArchive(web, 'docker.io/team/web:v1', file);
    const { stdout } = await run('tar', ['-tf', file]);
    const names = stdout.trim().split('\n');
    expect(names).toEqual(expect.arrayContaining(['oci-layout', 'index.json', `blobs/sha256/${web.manifestDigest.slice(7)}`]));
    for (const l of web.layers) expect(names).toContain(`blobs/sha256/${l.digest.slice(7)}`);
    const index = JSON.parse((await run('tar', ['-xOf', file, 'index.json'])).stdout);
    expect(index.manifests[0].annotations).toEqual({ 'io.containerd.image.name': 'docker.io/team/web:v1', 'org.opencontainers.image.ref.name': 'v1' });
    const inspect = JSON.parse((await run('skopeo', ['inspect', `oci-archive:${file}`])).stdout);
    expect(inspect.Digest).toBe(web.manifestDigest);
    expect(inspect.Env).toEqual(['PATH=/bin', 'GREETING=hi']);
  });

  it('writes a docker save archive with uncompressed layers', async () => {
    const file = join(work, 'legacy-docker.tar');
    await writeDockerArchive(legacy, 'team/legacy:v1', file);
    const names = (await run('tar', ['-tf', file])).stdout.trim().split('\n');
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'repositories', `${legacy.configDigest.slice(7)}.json`]));
    const [manifest] = JSON.parse((await run('tar', ['-xOf', file, 'manifest.json'])).stdout);
    expect(manifest.RepoTags).toEqual(['team/legacy:v1']);
    expect(manifest.Layers).toHaveLength(legacy.layers.length);
    const layer = (await run('tar', ['-xOf', file, manifest.Layers[0]], { encoding: 'buffer', maxBuffer: 64 << 20 })).stdout;
    expect(sha256Digest(layer)).toBe(legacy.layers[0].diffId);
    const inspect = JSON.parse((await run('skopeo', ['inspect', '--config', `docker-archive:${file}`])).stdout);
    expect(inspect.config.Entrypoint).toEqual(['sleep']);
  });

  it('the base layer holds a busybox that runs, and extra layers carry whiteouts', async () => {
    const dir = join(work, 'rootfs');
    await run('mkdir', ['-p', dir]);
    const base = join(work, 'base.tar.gz');
    await writeFile(base, web.layers[0].blob);
    await run('tar', ['-xzf', base, '-C', dir]);
    expect((await run(join(dir, 'bin/busybox'), ['echo', 'ok'])).stdout).toBe('ok\n');
    expect((await run(join(dir, 'bin/sh'), ['-c', 'echo $((6*7))'])).stdout).toBe('42\n');
    const listing = (await run('tar', ['-tvzf', base])).stdout;
    expect(listing).toMatch(/^drwxrwxrwt .* tmp\/$/m);
    expect(listing).toMatch(/^-rw-r--r-- .* etc\/passwd$/m);
    const passwd = (await run('cat', [join(dir, 'etc/passwd')])).stdout;
    expect(passwd).toContain('app:x:1000:1000:');
    expect(passwd).toContain('nobody:x:65534:65534:');

    const top = join(work, 'top.tar.gz');
    await writeFile(top, web.layers[2].blob);
    const topNames = (await run('tar', ['-tzf', top])).stdout.trim().split('\n');
    expect(topNames).toEqual(expect.arrayContaining(['etc/.wh.motd', 'var/cache/.wh..wh..opq', 'srv/run.sh']));
  });

  it('pads an image with incompressible bytes for size benchmarks', () => {
    const padded: TestImage = buildImage({ padBytes: 1 << 20 });
    const pad = padded.layers[padded.layers.length - 1];
    expect(pad.blob.length).toBeGreaterThan(1 << 20);
    expect(buildImage({ padBytes: 1 << 20 }).manifestDigest).toBe(padded.manifestDigest);
  });
});
