import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { serviceEnv } from '../../../../runtime/kubelet/service-env.js';

function svc(name: string, clusterIP: string, ports: Array<Record<string, unknown>>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { clusterIP, ports } };
}

describe('serviceEnv', () => {
  it('gives Kubernetes-style variables for each Service with a ClusterIP', () => {
    expect(serviceEnv([svc('catalog-api', '127.2.0.7', [{ name: 'http', port: 80 }, { name: 'grpc-api', port: 9090, protocol: 'TCP' }])])).toEqual({
      CATALOG_API_SERVICE_HOST: '127.2.0.7',
      CATALOG_API_SERVICE_PORT: '80',
      CATALOG_API_SERVICE_PORT_HTTP: '80',
      CATALOG_API_SERVICE_PORT_GRPC_API: '9090',
      CATALOG_API_PORT: 'tcp://127.2.0.7:80',
      CATALOG_API_PORT_80_TCP: 'tcp://127.2.0.7:80',
      CATALOG_API_PORT_80_TCP_PROTO: 'tcp',
      CATALOG_API_PORT_80_TCP_PORT: '80',
      CATALOG_API_PORT_80_TCP_ADDR: '127.2.0.7',
      CATALOG_API_PORT_9090_TCP: 'tcp://127.2.0.7:9090',
      CATALOG_API_PORT_9090_TCP_PROTO: 'tcp',
      CATALOG_API_PORT_9090_TCP_PORT: '9090',
      CATALOG_API_PORT_9090_TCP_ADDR: '127.2.0.7',
    });
  });

  it('skips headless Services', () => {
    expect(serviceEnv([svc('db', 'None', [{ port: 5432 }])])).toEqual({});
  });
});
