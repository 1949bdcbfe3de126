import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImageStore } from '../../runtime/images/image-types.js';
import { mountsBelow } from '../../runtime/kubelet/mounts-below.js';
import { createOciDriver } from '../../runtime/kubelet/oci/oci-driver.js';
import { PodRecordStore } from '../../runtime/kubelet/pod-record.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-leftovers-'));

afterAll(() => {
  for (const point of mountsBelow(dir)) execFileSync('umount', ['--lazy', point]);
  rmSync(dir, { recursive: true, force: true });
});

/** A bundle as a runtime killed between mounting a container's root and starting runc leaves it. */
function halfStartedBundle(podsDir: string, uid: string, id: string): string {
  const bundle = join(podsDir, uid, 'app', `run-${id.slice(-6)}`);
  mkdirSync(join(bundle, 'rootfs'), { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', join(bundle, 'rootfs')]);
  writeFileSync(join(bundle, 'config.json'), JSON.stringify({ linux: { cgroupsPath: `/baton/${id}` } }));
  return bundle;
}

describe('what a crashed runtime left of oci containers', () => {
  it('sweeps a bundle whose container never reached runc: overlay unmounted, bundle removed, lease released', async () => {
    const released: string[] = [];
    const images = { ensure: async () => { throw new Error('unused'); }, lease: () => undefined, release: (id: string) => released.push(id) } as ImageStore;
    const driver = createOciDriver({ stateDir: dir, images });
    const podsDir = join(dir, 'node', 'pods');
    const stray = halfStartedBundle(podsDir, 'uid-stray', 'aaaaaaaa-app-0a1b2c');
    const kept = halfStartedBundle(podsDir, 'uid-kept', 'bbbbbbbb-app-3d4e5f');
    const swept = await driver.sweepUnknown!(podsDir, [{ pid: 1, procStart: '', startedAt: '', exitPath: '', mountNamespace: true, driver: 'oci', containerId: 'bbbbbbbb-app-3d4e5f', bundle: kept }]);
    expect(swept).toBe(1);
    expect(existsSync(stray)).toBe(false);
    expect(released).toEqual(['aaaaaaaa-app-0a1b2c']);
    expect(mountsBelow(kept)).toEqual([join(kept, 'rootfs')]);
  });

  it('removes a pod directory that still holds a mount (no EBUSY that would stop the runtime from starting)', () => {
    const store = new PodRecordStore(join(dir, 'node'));
    halfStartedBundle(join(dir, 'node', 'pods'), 'uid-busy', 'cccccccc-app-6a7b8c');
    store.remove('uid-busy');
    expect(existsSync(store.podDir('uid-busy'))).toBe(false);
    expect(mountsBelow(store.podDir('uid-busy'))).toEqual([]);
  });
});
