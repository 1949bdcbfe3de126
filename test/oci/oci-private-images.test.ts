import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { runBaton } from '../support/baton-cli.js';
import { buildImage, pushImage, startRegistry, writeDockerArchive, writeOciArchive, type LocalRegistry } from '../support/oci-registry.js';
import { startOciRuntime, type OciRuntime } from '../support/oci-runtime.js';

const user = { username: 'deployer', password: 's3cret-pull' };
let registry: LocalRegistry;
let rt: OciRuntime;
let scratch: string;

const ended = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const waiting = (p: KubeObject) => p.status?.containerStatuses?.[0]?.state?.waiting;

async function baton(args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await runBaton(args, { timeoutMs: 120_000 });
  return { code, out: `${stdout}${stderr}` };
}

beforeAll(async () => {
  registry = await startRegistry({ auth: user });
  await pushImage(registry, 'private/app:v1', buildImage({ cmd: ['sh', '-c', 'echo from the private registry'] }), { auth: user });
  rt = await startOciRuntime();
  scratch = await mkdtemp(join(tmpdir(), 'baton-archives-'));
});

afterAll(async () => {
  await rt?.close();
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('private registries and air-gapped images', () => {
  it('pulls from a basic-auth registry with an imagePullSecret of type dockerconfigjson', async () => {
    const auths = { [registry.host]: { auth: Buffer.from(`${user.username}:${user.password}`).toString('base64') } };
    await rt.runtime.cluster.create(resources.secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'regcred', namespace: rt.namespace },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') },
    });
    await rt.createPod('with-secret', { restartPolicy: 'Never', imagePullSecrets: [{ name: 'regcred' }], containers: [{ name: 'c', image: `${registry.host}/private/app:v1` }] });
    const pod = await rt.waitForPod('with-secret', 'finished', ended);
    expect(pod.status!.phase).toBe('Succeeded');
    expect((await rt.logs('with-secret')).trim()).toBe('from the private registry');
  });

  it('fails clearly without the secret: ErrImagePull quoting the registry, then ImagePullBackOff', async () => {
    await rt.createPod('without-secret', { containers: [{ name: 'c', image: `${registry.host}/private/app:v1`, imagePullPolicy: 'Always' }] });
    const pod = await rt.waitForPod('without-secret', 'refused', (p) => ['ErrImagePull', 'ImagePullBackOff'].includes(waiting(p)?.reason));
    expect(waiting(pod).message).toMatch(/unauthorized: authentication required/);
    expect(waiting(pod).message).toContain(registry.host);
  });

  for (const format of ['oci', 'docker'] as const) {
    it(`runs an image imported from ${format === 'oci' ? 'an OCI archive' : 'a docker save archive'} with baton image import, no registry involved`, async () => {
      const ref = `airgap.example/tools/${format}:1.0`;
      const file = join(scratch, `${format}.tar`);
      const image = buildImage({ cmd: ['sh', '-c', `echo imported ${format}`] });
      await (format === 'oci' ? writeOciArchive(image, ref, file) : writeDockerArchive(image, ref, file));
      const imported = await baton(['image', 'import', file, '--state-dir', rt.dir]);
      expect(imported.out).toContain(`airgap.example/tools/${format}`);
      expect(imported.code).toBe(0);
      const listed = await baton(['image', 'ls', '--state-dir', rt.dir]);
      expect(listed.out).toMatch(new RegExp(`airgap\\.example/tools/${format}\\s+1\\.0`));
      // IfNotPresent (a tag other than latest): the imported image is used; no registry could answer for this name.
      await rt.createPod(`imported-${format}`, { restartPolicy: 'Never', containers: [{ name: 'c', image: ref }] });
      const pod = await rt.waitForPod(`imported-${format}`, 'finished', ended);
      expect(pod.status!.phase).toBe('Succeeded');
      expect((await rt.logs(`imported-${format}`)).trim()).toBe(`imported ${format}`);
    });
  }

  it('refuses an image that is not present with imagePullPolicy Never, in Kubernetes\' words', async () => {
    await rt.createPod('never', { containers: [{ name: 'c', image: 'airgap.example/tools/absent:1.0', imagePullPolicy: 'Never' }] });
    const pod = await rt.waitForPod('never', 'ErrImageNeverPull', (p) => waiting(p)?.reason === 'ErrImageNeverPull');
    expect(waiting(pod).message).toBe('Container image "airgap.example/tools/absent:1.0" is not present with pull policy of Never');
  });
});
