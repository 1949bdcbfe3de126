import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempStores } from './temp-stores.js';
import { buildImage } from '../support/oci-registry.js';
import { startFakeRegistry, type FakeRegistry } from './fake-registry.js';

let fake: FakeRegistry;
const { store, closeAll } = tempStores();
const blobGets = () => fake.requests.filter((r) => r.startsWith('GET /storage/')).length;

beforeAll(async () => {
  fake = await startFakeRegistry({ username: 'ci', password: 's3cret' });
});
afterAll(async () => {
  await closeAll();
  await fake?.stop();
});

describe('pull policies and a Bearer-token registry', () => {
  it('answers the Bearer challenge with a token fetched with the pull secret, once per scope, following blob redirects', async () => {
    const image = buildImage({ layers: [{ '/v': '1' }] });
    fake.serve('team/app', 'v1', image);
    const s = store();
    const secret = { auths: { [`http://${fake.host}/v1/`]: { auth: Buffer.from('ci:s3cret').toString('base64') } } };
    const first = await s.ensure(`${fake.host}/team/app:v1`, { policy: 'IfNotPresent', dockerConfigs: [secret] });
    expect(first.image.digest).toBe(image.manifestDigest);
    expect(fake.requests.filter((r) => r === 'GET /token')).toHaveLength(1);
    expect(blobGets()).toBe(1 + image.layers.length);

    const denied = (await store().ensure(`${fake.host}/team/app:v1`, { policy: 'IfNotPresent' }).catch((e: unknown) => e)) as Error;
    expect(denied.message).toContain(`failed to fetch anonymous token: unauthorized: incorrect username or password`);
  });

  it('Never fails on an absent image with the kubelet message; IfNotPresent reuses; Always re-resolves without refetching', async () => {
    const image = buildImage({ layers: [{ '/v': '2' }] });
    fake.serve('team/pol', 'v1', image);
    const s = store(`configs:\n  "${fake.host}":\n    auth:\n      username: ci\n      password: s3cret\n`);
    const ref = `${fake.host}/team/pol:v1`;
    await expect(s.ensure(ref, { policy: 'Never' })).rejects.toMatchObject({
      reason: 'ErrImageNeverPull',
      message: `Container image "${ref}" is not present with pull policy of Never`,
    });
    expect((await s.ensure(ref, { policy: 'IfNotPresent' })).pulled).toBe(true);
    const before = blobGets();
    const again = await s.ensure(ref, { policy: 'IfNotPresent' });
    expect(again.pulled).toBe(false);
    expect((await s.ensure(ref, { policy: 'Never' })).image.digest).toBe(image.manifestDigest);
    const manifestGets = fake.requests.filter((r) => r === 'GET /v2/team/pol/manifests/v1').length;
    await s.ensure(ref, { policy: 'Always' });
    expect(fake.requests.filter((r) => r === 'GET /v2/team/pol/manifests/v1').length).toBeGreaterThan(manifestGets);
    expect(blobGets()).toBe(before);

    const next = buildImage({ layers: [{ '/v': '3' }] });
    fake.serve('team/pol', 'v1', next);
    const updated = await s.ensure(ref, { policy: 'Always' });
    expect(updated.image.digest).toBe(next.manifestDigest);
  });

  it('two concurrent ensures of one reference share one pull', async () => {
    const image = buildImage({ layers: [{ '/v': '4' }] });
    fake.serve('team/con', 'v1', image);
    const s = store(`configs:\n  "${fake.host}":\n    auth:\n      username: ci\n      password: s3cret\n`);
    const before = blobGets();
    const [a, b] = await Promise.all([
      s.ensure(`${fake.host}/team/con:v1`, { policy: 'IfNotPresent' }),
      s.ensure(`${fake.host}/team/con:v1`, { policy: 'IfNotPresent' }),
    ]);
    expect(a.image).toEqual(b.image);
    expect(blobGets() - before).toBe(1 + image.layers.length);
  });

  it('rejects an invalid name as the kubelet does', async () => {
    await expect(store().ensure('Busybox', { policy: 'IfNotPresent' })).rejects.toMatchObject({
      reason: 'InvalidImageName',
      message: 'Failed to apply default image tag "Busybox": couldn\'t parse image name "Busybox": invalid reference format',
    });
  });
});
