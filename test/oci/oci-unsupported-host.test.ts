import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resources } from '../../runtime/resources/registry.js';
import { startRuntime, type RunningRuntime } from '../../runtime/runtime-server.js';

let runtime: RunningRuntime | undefined;
let dir: string | undefined;
const savedPath = process.env.PATH;

afterAll(async () => {
  process.env.PATH = savedPath;
  await runtime?.close({ stopPods: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a machine without runc, ip or nft', () => {
  it('still starts the runtime (host-program pods need none of them), says what image pods lack, and image pods wait with the reason', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-nohost-'));
    // This test file runs in its own process: no other test sees the PATH.
    process.env.PATH = join(dir, 'empty-bin');
    runtime = await startRuntime({ stateDir: dir, port: 0, ingress: false, proxy: false, node: { defaultRuntimeClass: 'oci' } });
    expect(runtime.warnings.join('\n')).toMatch(/image pods cannot run here: the pod network needs root and iproute2\/nftables: `ip` does not run \(install iproute2\)/);
    expect(runtime.warnings.join('\n')).toMatch(/runc is not installed \(apt-get install runc\)/);
    const cluster = runtime.cluster;
    await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'nohost' } });
    await cluster.create(resources.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'img', namespace: 'nohost' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
    let message = '';
    for (let i = 0; i < 150 && !message; i++) {
      const events = (await cluster.list(resources.events, { namespace: 'nohost' })).items;
      message = String(events.find((e) => e.reason === 'FailedCreatePodSandBox')?.message ?? '');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(message).toMatch(/^Failed to create pod sandbox: the pod network needs root and iproute2\/nftables/);
  });
});
