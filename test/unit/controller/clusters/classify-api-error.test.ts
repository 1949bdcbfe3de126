import { ApiException } from '@kubernetes/client-node';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { classifyApiError } from '../../../../controller/clusters/classify-api-error.js';
import { ClusterRequestError } from '../../../../controller/clusters/cluster-request-error.js';
import { ObjectRejectedError } from '../../../../controller/clusters/object-rejected-error.js';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };
const api = (code: number, message: string) => new ApiException(code, 'Unsuccessful HTTP Request', { kind: 'Status', message, reason: 'Whatever' }, {});
const sys = (code: string) => Object.assign(new Error(`request failed, reason: connect ${code}`), { type: 'system', code });

describe('classifyApiError', () => {
  it.each<[string, unknown, 'rejected' | string]>([
    ['422 invalid', api(422, 'Deployment.apps "web" is invalid: spec.selector: Required value'), 'rejected'],
    ['400 bad request', api(400, 'bad'), 'rejected'],
    ['404 namespace missing', api(404, 'namespaces "shop" not found'), 'rejected'],
    ['unknown kind', new Error('Unrecognized API version and kind: example.com/v1 Widget'), 'rejected'],
    ['500', api(500, 'etcd timeout'), 'SERVER_ERROR'],
    ['429', api(429, 'slow down'), 'SERVER_ERROR'],
    ['403', api(403, 'forbidden'), 'ACCESS_DENIED'],
    ['409', api(409, 'conflict'), 'CONFLICT'],
    ['connection refused', sys('ECONNREFUSED'), 'UNREACHABLE'],
    ['timeout', sys('ETIMEDOUT'), 'UNREACHABLE'],
    ['no answer in time (bounded)', Object.assign(new Error('no answer within 30000 ms'), { name: 'TimeoutError', code: 'ETIMEDOUT' }), 'UNREACHABLE'],
  ])('%s', (_name, err, expected) => {
    const classified = classifyApiError(err, 'local', ref);
    if (expected === 'rejected') {
      expect(classified).toBeInstanceOf(ObjectRejectedError);
      expect(classified).toBeInstanceOf(UnrecoverableError);
      expect(classified.message).toContain('apply Deployment shop/web failed');
    } else {
      expect(classified).toBeInstanceOf(ClusterRequestError);
      expect((classified as ClusterRequestError).code).toBe(expected);
    }
  });

  it('names the API message of a rejected object', () => {
    const classified = classifyApiError(api(422, 'spec.template.spec.containers[0].name: Invalid value: "Bad_Name"'), 'local', ref);
    expect(classified.message).toBe('apply Deployment shop/web failed: spec.template.spec.containers[0].name: Invalid value: "Bad_Name"');
    expect((classified as ObjectRejectedError).data).toMatchObject({ kind: 'Deployment', namespace: 'shop', name: 'web', status: 422 });
  });
});
