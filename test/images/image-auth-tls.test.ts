import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempStores } from './temp-stores.js';
import { buildImage, pushImage, startRegistry, type LocalRegistry, type TestImage } from '../support/oci-registry.js';

const user = { username: 'puller', password: 'pa55' };
let locked: LocalRegistry;
let secure: LocalRegistry;
let image: TestImage;
const { store, closeAll } = tempStores();

beforeAll(async () => {
  [locked, secure] = await Promise.all([startRegistry({ auth: user }), startRegistry({ tls: true })]);
  image = buildImage({ layers: [{ '/secret': 'yes' }] });
  await pushImage(locked, 'team/private:v1', image, { auth: user });
  await pushImage(secure, 'team/tls:v1', image);
});
afterAll(async () => {
  await closeAll();
  await Promise.all([locked?.stop(), secure?.stop()]);
});

describe('registry credentials', () => {
  it('uses a pull secret (.dockerconfigjson) for the registry host', async () => {
    const secret = { auths: { [locked.host]: { username: user.username, password: user.password } } };
    const r = await store().ensure(`${locked.host}/team/private:v1`, { policy: 'IfNotPresent', dockerConfigs: [secret] });
    expect(r.image.digest).toBe(image.manifestDigest);
  });

  it('uses registries.yaml auth of the endpoint host', async () => {
    const s = store(`configs:\n  "${locked.host}":\n    auth:\n      username: ${user.username}\n      password: ${user.password}\n`);
    expect((await s.ensure(`${locked.host}/team/private:v1`, { policy: 'IfNotPresent' })).image.digest).toBe(image.manifestDigest);
  });

  it('without credentials fails quoting the registry', async () => {
    const err = (await store().ensure(`${locked.host}/team/private:v1`, { policy: 'IfNotPresent' }).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `failed to pull and unpack image "${locked.host}/team/private:v1": failed to resolve reference: ${locked.url}/v2/team/private/manifests/v1: unauthorized: authentication required`,
    );
  });
});

describe('TLS registries', () => {
  it('trusts the registry through ca_file', async () => {
    const s = store(`configs:\n  "${secure.host}":\n    tls:\n      ca_file: ${secure.caFile}\n`);
    expect((await s.ensure(`${secure.host}/team/tls:v1`, { policy: 'IfNotPresent' })).image.digest).toBe(image.manifestDigest);
  });

  it('skips verification with insecure_skip_verify', async () => {
    const s = store(`configs:\n  "${secure.host}":\n    tls:\n      insecure_skip_verify: true\n`);
    expect((await s.ensure(`${secure.host}/team/tls:v1`, { policy: 'IfNotPresent' })).image.digest).toBe(image.manifestDigest);
  });

  it('refuses an unknown CA, saying so', async () => {
    const s = store(`mirrors:\n  "${secure.host}":\n    endpoint: ["${secure.url}"]\n`);
    const err = (await s.ensure(`${secure.host}/team/tls:v1`, { policy: 'IfNotPresent' }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('x509: certificate signed by unknown authority');
  });
});
