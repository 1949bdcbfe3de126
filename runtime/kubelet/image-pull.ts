import type { KubeObject } from '../kube/object.js';
import { backoffDelay } from '../kube/reconcile/backoff.js';
import { recordEvent } from '../objects/record-event.js';
import { resources } from '../resources/registry.js';
import { ImagePullError, type PullPolicy, type StoredImage } from '../images/image-types.js';
import { isNotFound } from './is-not-found.js';
import type { KubeletContext } from './kubelet-context.js';
import type { ContainerRecord } from './pod-record.js';

const MAX_BACKOFF_SECONDS = 300;

/** The policy Kubernetes defaults at admission: Always for `:latest` or no tag, IfNotPresent otherwise. */
export function pullPolicyOf(spec: { image?: string; imagePullPolicy?: string }): PullPolicy {
  if (spec.imagePullPolicy === 'Always' || spec.imagePullPolicy === 'IfNotPresent' || spec.imagePullPolicy === 'Never') return spec.imagePullPolicy;
  const ref = spec.image ?? '';
  if (ref.includes('@')) return 'IfNotPresent';
  const last = ref.split('/').pop() ?? '';
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : undefined;
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** The `.dockerconfigjson` documents of the pod's imagePullSecrets; missing ones are reported, as the kubelet does, and skipped. */
async function dockerConfigs(ctx: KubeletContext, pod: KubeObject): Promise<unknown[]> {
  const out: unknown[] = [];
  const missing: string[] = [];
  for (const ref of (pod.spec?.imagePullSecrets ?? []) as Array<{ name?: string }>) {
    if (!ref.name) continue;
    try {
      const secret = await ctx.cluster.get(resources.secrets, pod.metadata.namespace, ref.name);
      const data = (secret.data ?? {}) as Record<string, string>;
      if (data['.dockerconfigjson']) out.push(JSON.parse(Buffer.from(data['.dockerconfigjson'], 'base64').toString('utf8')));
      else if (data['.dockercfg']) out.push({ auths: JSON.parse(Buffer.from(data['.dockercfg'], 'base64').toString('utf8')) });
    } catch (err) {
      if (isNotFound(err) || err instanceof SyntaxError) missing.push(ref.name);
      else throw err;
    }
  }
  if (missing.length) {
    await recordEvent(ctx.cluster, pod, 'Warning', 'FailedToRetrieveImagePullSecret', `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`, 'kubelet');
  }
  return out;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}

/**
 * Makes the container's image present as the kubelet's image manager does:
 * events `Pulling`/`Pulled`/`Failed`, `ErrImagePull` on a failed pull, then
 * `ImagePullBackOff` for 10 s doubling to 5 min. Returns undefined (with the
 * container left waiting) when the image cannot be had yet.
 */
export async function pullImage(ctx: KubeletContext, pod: KubeObject, spec: any, cr: ContainerRecord): Promise<StoredImage | undefined> {
  const images = ctx.images!;
  const image: string = spec.image ?? '';
  if (cr.pullBackoffUntil && Date.parse(cr.pullBackoffUntil) > Date.now()) {
    const message = `Back-off pulling image "${image}": ${cr.lastPullError ?? 'ErrImagePull'}`;
    if (cr.waiting?.reason !== 'ImagePullBackOff') {
      await recordEvent(ctx.cluster, pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, 'kubelet');
      await recordEvent(ctx.cluster, pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', 'kubelet');
    }
    cr.waiting = { reason: 'ImagePullBackOff', message };
    return undefined;
  }
  const policy = pullPolicyOf(spec);
  let announced = false;
  try {
    const result = await images.ensure(image, {
      policy,
      dockerConfigs: await dockerConfigs(ctx, pod),
      onPullStart: () => {
        announced = true;
        void recordEvent(ctx.cluster, pod, 'Normal', 'Pulling', `Pulling image "${image}"`, 'kubelet');
      },
    });
    cr.pullFailures = undefined;
    cr.pullBackoffUntil = undefined;
    cr.lastPullError = undefined;
    cr.imageID = result.image.imageID;
    if (result.pulled) {
      if (!announced) await recordEvent(ctx.cluster, pod, 'Normal', 'Pulling', `Pulling image "${image}"`, 'kubelet');
      const size = (result.image.size / 1e6).toFixed(1);
      await recordEvent(ctx.cluster, pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${seconds(result.ms)} (${seconds(result.ms)} including waiting). Image size: ${result.image.size} bytes (${size} MB).`, 'kubelet');
    } else if (cr.restartCount === 0 && !cr.lastTerminated) {
      await recordEvent(ctx.cluster, pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, 'kubelet');
    }
    return result.image;
  } catch (err) {
    if (!(err instanceof ImagePullError)) throw err;
    if (err.reason === 'ErrImagePull') {
      cr.pullFailures = (cr.pullFailures ?? 0) + 1;
      const delay = backoffDelay(cr.pullFailures - 1, { base: 10, cap: MAX_BACKOFF_SECONDS });
      cr.pullBackoffUntil = new Date(Date.now() + delay * 1000).toISOString();
      cr.lastPullError = err.message;
      await recordEvent(ctx.cluster, pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${err.message}`, 'kubelet');
    } else {
      await recordEvent(ctx.cluster, pod, 'Warning', err.reason === 'InvalidImageName' ? 'InspectFailed' : 'ErrImageNeverPull', err.message, 'kubelet');
    }
    if (cr.waiting?.reason !== err.reason) await recordEvent(ctx.cluster, pod, 'Warning', 'Failed', `Error: ${err.reason}`, 'kubelet');
    cr.waiting = { reason: err.reason, message: err.message };
    return undefined;
  }
}
