import type { KubeObject } from '../../kube/object.js';
import { isPodReady } from '../pod-conditions.js';
import { findPort, type ServicePort } from './find-port.js';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/**
 * A pod is an endpoint while it has an IP, has not finished and is not
 * terminating — a terminating pod leaves the endpoints before it stops
 * (endpointsliceutil.ShouldPodBeInEndpoints).
 */
function shouldBeEndpoint(pod: KubeObject, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

function addressOf(pod: KubeObject, service: KubeObject): EndpointAddress {
  const a: EndpointAddress = {
    ip: pod.status.podIP,
    targetRef: { kind: 'Pod', namespace: String(pod.metadata.namespace), name: String(pod.metadata.name), uid: String(pod.metadata.uid) },
  };
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  if (pod.spec?.hostname && pod.spec?.subdomain === service.metadata.name) a.hostname = pod.spec.hostname;
  return a;
}

/**
 * The Endpoints subsets of `service` over the pods its selector matches:
 * ready pods in `addresses`, others in `notReadyAddresses`, ports resolved
 * per pod from targetPort, and pods with the same ports packed into one
 * subset (endpoints.RepackSubsets), addresses sorted by IP.
 */
export function endpointSubsets(service: KubeObject, pods: KubeObject[]): EndpointSubset[] {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const servicePorts: ServicePort[] = service.spec?.ports ?? [];
  const headless = service.spec?.clusterIP === 'None';
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();

  for (const pod of pods) {
    if (!shouldBeEndpoint(pod, publishNotReady)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of servicePorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      ports.push(ep);
    }
    // A pod that serves none of the ports is no endpoint, unless a headless Service declares no ports at all.
    if (ports.length === 0 && !(headless && servicePorts.length === 0)) continue;
    ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, ready: [], notReady: [] }));
    (publishNotReady || isPodReady(pod) ? g.ready : g.notReady).push(addressOf(pod, service));
  }

  const byIp = (a: EndpointAddress, b: EndpointAddress): number => compareIp(a.ip, b.ip) || a.targetRef.name.localeCompare(b.targetRef.name);
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => {
      const s: EndpointSubset = {};
      if (g.ready.length) s.addresses = g.ready.sort(byIp);
      if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(byIp);
      if (g.ports.length) s.ports = g.ports;
      return s;
    });
}

function compareIp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4 && pa.every(Number.isFinite) && pb.every(Number.isFinite)) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
    return 0;
  }
  return a.localeCompare(b);
}
