import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serviceAccountTokens, TOKEN_ISSUER } from '../../../../../runtime/api/auth/service-account-tokens.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const request = { namespace: 'a', serviceAccount: { name: 'default', uid: 'sa-uid' }, pod: { name: 'web', uid: 'pod-uid' } };

describe('service account tokens', () => {
  it("carry Kubernetes' bound claims and verify", async () => {
    const tokens = serviceAccountTokens(privateKey, () => 1_000_000_000_000);
    const { token, claims } = await tokens.issue(request);
    expect(claims).toMatchObject({
      iss: TOKEN_ISSUER,
      aud: [TOKEN_ISSUER],
      sub: 'system:serviceaccount:a:default',
      exp: 1_000_000_000 + 3600,
      'kubernetes.io': { namespace: 'a', serviceaccount: { name: 'default', uid: 'sa-uid' }, pod: { name: 'web', uid: 'pod-uid' } },
    });
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'RS256' });
    expect(tokens.verify(token)).toEqual(claims);
  });

  it('refuses expired, tampered, foreign and other-audience tokens', async () => {
    let now = 1_000_000_000_000;
    const tokens = serviceAccountTokens(privateKey, () => now);
    const { token } = await tokens.issue({ ...request, expirationSeconds: 600 });
    now += 661_000;
    expect(tokens.verify(token)).toBeUndefined();
    now = 1_000_000_000_000;
    const [head, body, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
    expect(tokens.verify(`${head}.${forged}.${sig}`)).toBeUndefined();
    const other = serviceAccountTokens(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, () => now);
    expect(other.verify(token)).toBeUndefined();
    expect(tokens.verify((await tokens.issue({ ...request, audiences: ['vault'] })).token)).toBeUndefined();
    expect(tokens.verify('not-a-jwt')).toBeUndefined();
  });
});
