import { timingSafeEqual } from 'node:crypto';
import type { Cluster } from '../../objects/cluster.js';
import { getIfExists } from '../../objects/get-if-exists.js';
import { resources } from '../../resources/registry.js';
import type { ServiceAccountTokens } from './service-account-tokens.js';

/** Who a request comes from, as Kubernetes' `user.Info` (and authentication.k8s.io's UserInfo). */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** The user of baton's admin token: `system:masters` holds every right, as kubeadm's admin.conf user does. */
export const ADMIN_USER: UserInfo = { username: 'baton-admin', groups: ['system:masters', 'system:authenticated'] };

/** Turns a request's `Authorization` header into a user; undefined is a 401. */
export type Authenticator = (authorization: string | undefined) => Promise<UserInfo | undefined>;

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match ? match[1].trim() : undefined;
}

/** `expected` as bytes once: every request compares against it. */
function tokenMatcher(expected: string): (given: string) => boolean {
  const b = Buffer.from(expected);
  return (given) => {
    const a = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
  };
}

/** A bound object counts while it exists with the token's uid and its deletion time has not come (pkg/serviceaccount/claims.go). */
function stillBound(obj: { metadata: { uid?: string; deletionTimestamp?: string } } | undefined, uid: string, allowGrace: boolean): boolean {
  if (!obj || obj.metadata.uid !== uid) return false;
  const deleting = obj.metadata.deletionTimestamp;
  if (!deleting) return true;
  return allowGrace && Date.parse(deleting) > Date.now();
}

/**
 * The admin token, or a service account token this runtime signed whose
 * ServiceAccount (and Pod, when bound to one) still exists with the uid the
 * token names: a token stops working when its pod or account is deleted.
 */
export function createAuthenticator(options: { adminToken: string; cluster: Cluster; tokens?: ServiceAccountTokens }): Authenticator {
  const { adminToken, cluster, tokens } = options;
  const isAdminToken = tokenMatcher(adminToken);
  return async (header) => {
    const token = bearerToken(header);
    if (!token) return undefined;
    if (isAdminToken(token)) return ADMIN_USER;
    const claims = tokens?.verify(token);
    if (!claims) return undefined;
    const k = claims['kubernetes.io'];
    const sa = await getIfExists(cluster, resources.serviceaccounts, k.namespace, k.serviceaccount.name);
    if (!stillBound(sa, k.serviceaccount.uid, false)) return undefined;
    const extra: Record<string, string[]> = { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] };
    if (k.pod) {
      const pod = await getIfExists(cluster, resources.pods, k.namespace, k.pod.name);
      if (!stillBound(pod, k.pod.uid, true)) return undefined;
      extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
    }
    if (k.node) {
      extra['authentication.kubernetes.io/node-name'] = [k.node.name];
      extra['authentication.kubernetes.io/node-uid'] = [k.node.uid];
    }
    return {
      username: claims.sub,
      uid: k.serviceaccount.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`, 'system:authenticated'],
      extra,
    };
  };
}
