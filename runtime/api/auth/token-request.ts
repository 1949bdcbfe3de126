import type { Request, Response } from 'express';
import { badRequest, conflict, invalid } from '../../errors/status-error.js';
import type { Cluster } from '../../objects/cluster.js';
import { getIfExists } from '../../objects/get-if-exists.js';
import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import { decodeBody, isPlainObject } from '../request/decode-object.js';
import { readBody } from '../request/read-body.js';
import { DEFAULT_EXPIRATION_SECONDS, type BoundObject, type ServiceAccountTokens } from './service-account-tokens.js';

const MIN_SECONDS = 600;
const MAX_SECONDS = 2 ** 32;

/** A pod-bound token carries the pod's node too (Kubernetes' ServiceAccountTokenPodNodeInfo). */
async function nodeOf(cluster: Cluster, pod: KubeObject): Promise<BoundObject | undefined> {
  const name = pod.spec?.nodeName;
  if (typeof name !== 'string' || !name) return undefined;
  const node = await getIfExists(cluster, resources.nodes, undefined, name);
  return node ? { name, uid: node.metadata.uid! } : undefined;
}

/**
 * Issues a token for a ServiceAccount and, optionally, a Pod it is bound to:
 * the kubelet's projected volumes and TokenRequest both come here. Throws
 * NotFound for a missing account or pod.
 */
export async function issueBoundToken(cluster: Cluster, tokens: ServiceAccountTokens, request: { namespace: string; serviceAccount: string; pod?: KubeObject; audiences?: string[]; expirationSeconds?: number }) {
  const sa = await cluster.get(resources.serviceaccounts, request.namespace, request.serviceAccount);
  const pod = request.pod;
  return tokens.issue({
    namespace: request.namespace,
    serviceAccount: { name: request.serviceAccount, uid: sa.metadata.uid! },
    pod: pod ? { name: pod.metadata.name!, uid: pod.metadata.uid! } : undefined,
    node: pod ? await nodeOf(cluster, pod) : undefined,
    audiences: request.audiences,
    expirationSeconds: request.expirationSeconds,
  });
}

/**
 * `POST serviceaccounts/{name}/token` (`kubectl create token`): a TokenRequest
 * (audiences, expirationSeconds of 10 minutes to 2^32 s, default 1 h, and a
 * Pod to bind to) answered 201 with `status.token` and `expirationTimestamp`.
 * Binding to a Secret (legacy tokens) or a Node is refused as not supported.
 */
export async function handleTokenRequest(cluster: Cluster, tokens: ServiceAccountTokens, req: Request, res: Response, namespace: string, name: string): Promise<void> {
  const body = decodeBody(await readBody(req), req.headers['content-type']);
  if (!isPlainObject(body)) throw badRequest('the request body must be a TokenRequest object');
  const spec = isPlainObject(body.spec) ? { ...body.spec } : {};
  spec.expirationSeconds ??= DEFAULT_EXPIRATION_SECONDS;
  const seconds = spec.expirationSeconds;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    const why = typeof seconds === 'number' && seconds > MAX_SECONDS ? 'may not specify a duration larger than 2^32 seconds' : 'may not specify a duration less than 10 minutes';
    throw invalid('TokenRequest', name, [{ field: 'spec.expirationSeconds', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(seconds)}: ${why}` }], 'authentication.k8s.io');
  }
  const audiences = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string' && a !== '') : [];
  let pod: KubeObject | undefined;
  const ref = isPlainObject(spec.boundObjectRef) ? spec.boundObjectRef : undefined;
  if (ref) {
    if (ref.kind !== 'Pod') throw badRequest(`cannot bind token to object of kind ${JSON.stringify(ref.kind)}: the built-in runtime binds tokens to Pods only (Secret- and Node-bound tokens are not supported)`);
    pod = await cluster.get(resources.pods, namespace, String(ref.name ?? ''));
    if (ref.uid && ref.uid !== pod.metadata.uid) {
      throw conflict('pods', String(ref.name), `the UID in the bound object reference (${String(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    if (pod.metadata.deletionTimestamp) throw badRequest(`cannot bind token to pod ${JSON.stringify(ref.name)}: it is being deleted`);
    // A pod's token speaks for the pod's own ServiceAccount only (Kubernetes' TokenREST).
    if ((pod.spec?.serviceAccountName || 'default') !== name) throw badRequest(`cannot bind token for serviceaccount ${JSON.stringify(name)} to pod running with different serviceaccount name.`);
  }
  const { token, claims } = await issueBoundToken(cluster, tokens, { namespace, serviceAccount: name, pod, audiences, expirationSeconds: seconds });
  spec.audiences = claims.aud;
  const answer = {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: new Date(claims.iat * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    spec,
    status: { token, expirationTimestamp: new Date(claims.exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
  };
  res.status(201).type('application/json').send(JSON.stringify(answer));
}

/** The kubelet's token port (runtime/kubelet's ServiceAccountTokenSource) over this runtime's signer. */
export function kubeletTokenSource(cluster: Cluster, tokens: ServiceAccountTokens, caCertificate: () => string) {
  return {
    get caCertificate() {
      return caCertificate();
    },
    async issue(pod: KubeObject, audiences: string[] | undefined, expirationSeconds: number) {
      const serviceAccount = pod.spec?.serviceAccountName || 'default';
      const { token, claims } = await issueBoundToken(cluster, tokens, { namespace: pod.metadata.namespace!, serviceAccount, pod, audiences, expirationSeconds });
      return { token, expiresAt: claims.exp * 1000 };
    },
  };
}
