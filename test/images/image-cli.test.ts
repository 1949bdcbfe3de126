import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImageStore } from '../../runtime/images/index.js';
import { runBaton } from '../support/baton-cli.js';
import { buildImage, writeDockerArchive, writeOciArchive, type TestImage } from '../support/oci-registry.js';

const baton = (args: string[], stdin?: Buffer) => runBaton(args, { stdin });

let tmp: string;
let web: TestImage;
let worker: TestImage;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'baton-image-cli-'));
  web = buildImage({ layers: [{ '/srv/index.html': 'web' }], cmd: ['httpd'] });
  worker = buildImage({ format: 'docker', layers: [{ '/srv/job': 'worker' }] });
  await writeOciArchive(web, 'docker.io/team/web:v1', join(tmp, 'web.oci.tar'));
  await writeDockerArchive(worker, 'team/worker:v2', join(tmp, 'worker.docker.tar'));
  writeFileSync(join(tmp, 'web.oci.tar.gz'), gzipSync(readFileSync(join(tmp, 'web.oci.tar'))));
  writeFileSync(join(tmp, 'notes.txt'), 'not an archive\n'.repeat(100));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('baton image', () => {
  it('imports an OCI archive and a docker save archive, lists, removes and prunes them', async () => {
    const state = join(tmp, 'state1');
    const oci = await baton(['image', 'import', join(tmp, 'web.oci.tar'), '--state-dir', state]);
    expect(oci.stderr).toBe('');
    expect(oci.stdout).toBe(`imported docker.io/team/web:v1 (${web.manifestDigest})\n`);
    const docker = await baton(['image', 'import', '-', '--state-dir', state], readFileSync(join(tmp, 'worker.docker.tar')));
    expect(docker.stderr).toBe('');
    expect(docker.stdout).toMatch(/^imported docker\.io\/team\/worker:v2 \(sha256:[a-f0-9]{64}\)\n$/);

    const store = openImageStore({ dir: join(state, 'images') });
    const pulled = await store.ensure('team/worker:v2', { policy: 'Never' });
    expect(readFileSync(join(pulled.image.rootfs, 'srv/job'), 'utf8')).toBe('worker');
    const webImage = await store.ensure('team/web:v1', { policy: 'Never' });
    expect(webImage.image.config.cmd).toEqual(['httpd']);
    store.lease('container-1', webImage.image.digest);

    const ls = await baton(['image', 'ls', '--state-dir', state]);
    const lines = ls.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^IMAGE\s+TAG\s+IMAGE ID\s+SIZE$/);
    expect(lines[1]).toMatch(new RegExp(`^docker\\.io/team/web\\s+v1\\s+${web.manifestDigest.slice(7, 20)}\\s+\\d+(\\.\\d+)?[km]?B$`, 'i'));
    expect(lines[2]).toMatch(/^docker\.io\/team\/worker\s+v2\s+[a-f0-9]{13}\s+/);

    const inUse = await baton(['image', 'rm', 'team/web:v1', '--state-dir', state]);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toBe('baton image rm: image "docker.io/team/web:v1" is in use by container container-1\n');

    const prune = await baton(['image', 'prune', '--state-dir', state]);
    expect(prune.stdout).toMatch(/^Deleted: docker\.io\/team\/worker:v2\nTotal reclaimed space: .+\n$/);
    expect(existsSync(pulled.image.rootfs)).toBe(false);
    expect(existsSync(webImage.image.rootfs)).toBe(true);

    store.release('container-1');
    expect((await baton(['image', 'rm', 'docker.io/team/web:v1', '--state-dir', state])).stdout).toBe('Deleted: docker.io/team/web:v1\n');
    expect(readdirSync(join(state, 'images/blobs/sha256'))).toEqual([]);
    expect((await baton(['image', 'ls', '--state-dir', state])).stdout).toBe('IMAGE   TAG   IMAGE ID   SIZE\n');
    await store.close();
  });

  it('imports a gzip-compressed archive', async () => {
    const state = join(tmp, 'state2');
    const r = await baton(['image', 'import', join(tmp, 'web.oci.tar.gz'), '--state-dir', state]);
    expect(r.stdout).toBe(`imported docker.io/team/web:v1 (${web.manifestDigest})\n`);
  });

  it('says clearly what is wrong', async () => {
    const state = join(tmp, 'state3');
    expect(await baton(['image', 'import', join(tmp, 'missing.tar'), '--state-dir', state])).toMatchObject({
      code: 1,
      stderr: `baton image import: ${join(tmp, 'missing.tar')}: no such file\n`,
    });
    const notArchive = await baton(['image', 'import', join(tmp, 'notes.txt'), '--state-dir', state]);
    expect(notArchive.code).toBe(1);
    expect(notArchive.stderr).toMatch(/^baton image import: .*notes\.txt: not an image archive/);
    expect(notArchive.stderr.split('\n')).toHaveLength(2);
    expect(await baton(['image', 'rm', 'nothing:here', '--state-dir', state])).toMatchObject({ code: 1, stderr: 'baton image rm: no such image "nothing:here"\n' });
  });
});
