import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../controller/apps/config-error.js';
import { ClusterConfigError } from '../../../controller/clusters/cluster-config-error.js';
import { ClusterRequestError } from '../../../controller/clusters/cluster-request-error.js';
import { ObjectRejectedError } from '../../../controller/clusters/object-rejected-error.js';
import { ApiError } from '../../../controller/edges/api/api-error.js';
import { ApiRequestError } from '../../../controller/edges/cli/api-client.js';
import { CliError } from '../../../controller/edges/cli/cli-error.js';
import { NotifyError } from '../../../controller/edges/notify/notify-error.js';
import { WebhookRequestError } from '../../../controller/edges/webhooks/webhook-request-error.js';
import { RetryLaterError } from '../../../controller/queue/retry-later-error.js';
import { RedisError } from '../../../controller/redis/redis-error.js';
import { SourceError } from '../../../controller/source/source-error.js';
import { BatonError } from '../../../runtime/kube/baton-error.js';

// What a retry can get past: waiting, an unreachable server, a token or branch fixed outside baton.
// What it cannot: configuration and input a person must change.
describe("the controller's errors say whether a retry can help", () => {
  it.each([
    ['RetryLaterError', new RetryLaterError('waiting on db', { delayMs: 1000 }), true, 'RETRY_LATER'],
    ['SourceError UNREACHABLE', new SourceError('UNREACHABLE', 'x'), true, 'UNREACHABLE'],
    ['SourceError AUTH_FAILED', new SourceError('AUTH_FAILED', 'x'), true, 'AUTH_FAILED'],
    ['SourceError INVALID_SPEC', new SourceError('INVALID_SPEC', 'x'), false, 'INVALID_SPEC'],
    ['SourceError UNSUPPORTED_URL', new SourceError('UNSUPPORTED_URL', 'x'), false, 'UNSUPPORTED_URL'],
    ['ClusterRequestError', new ClusterRequestError('UNREACHABLE', 'x', { cluster: 'local' }), true, 'UNREACHABLE'],
    ['ClusterConfigError LOCAL_RUNTIME_NOT_READY', new ClusterConfigError('LOCAL_RUNTIME_NOT_READY', 'x'), true, 'LOCAL_RUNTIME_NOT_READY'],
    ['ClusterConfigError UNKNOWN_CLUSTER', new ClusterConfigError('UNKNOWN_CLUSTER', 'x'), false, 'UNKNOWN_CLUSTER'],
    ['ObjectRejectedError', new ObjectRejectedError('x', { kind: 'Pod', name: 'p' }), false, 'OBJECT_REJECTED'],
    ['ConfigError', ConfigError.at('MISSING_FIELD', { file: 'baton.yaml', line: 1, col: 1 }, 'apps[0].repo', 'is required'), false, 'MISSING_FIELD'],
    ['RedisError', new RedisError('REDIS_NOT_INSTALLED', 'x'), false, 'REDIS_NOT_INSTALLED'],
    ['NotifyError', new NotifyError('INVALID_STATUS', 'x', { field: 'state' }), false, 'INVALID_STATUS'],
    ['WebhookRequestError INVALID_PAYLOAD', new WebhookRequestError('INVALID_PAYLOAD', 'x'), false, 'INVALID_PAYLOAD'],
    ['WebhookRequestError MISCONFIGURED', new WebhookRequestError('MISCONFIGURED', 'x'), true, 'MISCONFIGURED'],
    ['CliError', new CliError('x'), false, 'ECLI'],
    ['ApiRequestError', new ApiRequestError(404, 'NotFound', 'x'), false, 'ECLI'],
    ['ApiError 409', new ApiError(409, 'Conflict', 'x'), false, undefined],
    ['ApiError 503', new ApiError(503, 'Unavailable', 'x'), true, undefined],
  ])('%s', (_name, err, retryable, code) => {
    expect([err.retryable, err.code]).toEqual([retryable, code]);
    // ObjectRejectedError keeps BullMQ's UnrecoverableError as its base, so BullMQ fails the job at once.
    if (!(err instanceof ObjectRejectedError)) expect(err).toBeInstanceOf(BatonError);
  });

  it('keeps the cause it was given', () => {
    const cause = new Error('ECONNREFUSED');
    expect(new SourceError('UNREACHABLE', 'x', {}, { cause }).cause).toBe(cause);
    expect(new ClusterConfigError('BAD_KUBECONFIG', 'x', {}, { cause }).cause).toBe(cause);
  });
});
