import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { planServicePorts, readyEndpointsFor } from '../../../../runtime/proxy/service-ports.js';

function service(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec };
}

describe('planServicePorts', () => {
  const cases: Array<{ name: string; spec: Record<string, unknown>; listeners: string[]; skipped?: string[] }> = [
    {
      name: 'ClusterIP: one listener per TCP port',
      spec: { clusterIP: '127.2.0.9', ports: [{ name: 'http', port: 80 }, { name: 'grpc', port: 9090, protocol: 'TCP' }] },
      listeners: ['127.2.0.9:80/http/ClusterIP', '127.2.0.9:9090/grpc/ClusterIP'],
    },
    {
      name: 'headless: nothing',
      spec: { clusterIP: 'None', ports: [{ port: 80 }] },
      listeners: [],
    },
    {
      name: 'no ClusterIP allocated yet: nothing',
      spec: { ports: [{ port: 80 }] },
      listeners: [],
    },
    {
      name: 'ExternalName: nothing',
      spec: { type: 'ExternalName', externalName: 'example.com', ports: [{ port: 80 }] },
      listeners: [],
    },
    {
      name: 'UDP and SCTP ports are skipped and named',
      spec: { clusterIP: '127.2.0.9', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { port: 7, protocol: 'SCTP' }, { name: 'tcp', port: 53 }] },
      listeners: ['127.2.0.9:53/tcp/ClusterIP'],
      skipped: ['dns/UDP', '7/SCTP'],
    },
    {
      name: 'NodePort: the node port as well',
      spec: { type: 'NodePort', clusterIP: '127.2.0.9', ports: [{ port: 80, nodePort: 30080 }] },
      listeners: ['127.2.0.9:80//ClusterIP', '0.0.0.0:30080//NodePort'],
    },
    {
      name: 'nodePort on a ClusterIP Service is ignored',
      spec: { type: 'ClusterIP', clusterIP: '127.2.0.9', ports: [{ port: 80, nodePort: 30080 }] },
      listeners: ['127.2.0.9:80//ClusterIP'],
    },
    {
      name: 'clusterIPs wins over clusterIP',
      spec: { clusterIP: '127.2.0.9', clusterIPs: ['127.2.0.9', '127.2.0.10'], ports: [{ port: 80 }] },
      listeners: ['127.2.0.9:80//ClusterIP', '127.2.0.10:80//ClusterIP'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planServicePorts(service(c.spec), '0.0.0.0');
      expect(plan.listeners.map((l) => `${l.host}:${l.port}/${l.portName}/${l.kind}`)).toEqual(c.listeners);
      expect(plan.skipped).toEqual(c.skipped ?? []);
    });
  }
});

describe('readyEndpointsFor', () => {
  const endpoints: KubeObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'shop' },
    subsets: [
      {
        addresses: [{ ip: '127.1.0.1' }, { ip: '127.1.0.2' }],
        notReadyAddresses: [{ ip: '127.1.0.3' }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9100, protocol: 'TCP' }],
      },
      { addresses: [{ ip: '127.1.0.4' }], ports: [{ name: 'http', port: 8081, protocol: 'TCP' }] },
      { notReadyAddresses: [{ ip: '127.1.0.5' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    ],
  };
  const cases: Array<{ name: string; object: KubeObject | undefined; port: string; want: string[] }> = [
    { name: 'ready addresses of the named port, never not-ready ones', object: endpoints, port: 'http', want: ['127.1.0.1:8080', '127.1.0.2:8080', '127.1.0.4:8081'] },
    { name: 'another named port', object: endpoints, port: 'metrics', want: ['127.1.0.1:9100', '127.1.0.2:9100'] },
    { name: 'unknown port name', object: endpoints, port: 'grpc', want: [] },
    { name: 'no Endpoints object', object: undefined, port: 'http', want: [] },
    {
      name: 'unnamed port',
      object: { ...endpoints, subsets: [{ addresses: [{ ip: '127.1.0.7' }], ports: [{ port: 80 }] }] },
      port: '',
      want: ['127.1.0.7:80'],
    },
    {
      name: 'UDP port of the same name is not a TCP endpoint',
      object: { ...endpoints, subsets: [{ addresses: [{ ip: '127.1.0.7' }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }] },
      port: 'dns',
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(readyEndpointsFor(c.object, c.port).map((e) => `${e.ip}:${e.port}`)).toEqual(c.want);
    });
  }
});
