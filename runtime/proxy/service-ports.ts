import type { KubeObject } from '../kube/object.js';
import type { Endpoint } from './endpoint-picker.js';

/** One socket the proxy keeps open for a Service port. */
export interface ListenerSpec {
  host: string;
  port: number;
  /** The Service port's name ('' when the Service has a single unnamed port); selects the endpoints. */
  portName: string;
  /** The Service port number (`spec.ports[].port`), also for node ports. */
  servicePort: number;
  kind: 'ClusterIP' | 'NodePort';
}

export interface ServicePortPlan {
  listeners: ListenerSpec[];
  /** Service ports the proxy does not serve (UDP, SCTP), described for a log line. */
  skipped: string[];
}

/** `host:port`, the identity of a listening socket. */
export function listenerKey(spec: Pick<ListenerSpec, 'host' | 'port'>): string {
  return `${spec.host}:${spec.port}`;
}

/** The addresses a Service is reachable on; none for headless and ExternalName Services. */
export function clusterIPsOf(service: KubeObject): string[] {
  const spec = service.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const ips: unknown[] = Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 0 ? spec.clusterIPs : [spec.clusterIP];
  return ips.filter((ip): ip is string => typeof ip === 'string' && ip !== '' && ip !== 'None');
}

/** What the proxy should listen on for `service`: each TCP port on each ClusterIP, plus node ports. */
export function planServicePorts(service: KubeObject, nodePortHost: string): ServicePortPlan {
  const ips = clusterIPsOf(service);
  const listeners: ListenerSpec[] = [];
  const skipped: string[] = [];
  if (ips.length === 0) return { listeners, skipped };
  const hasNodePorts = service.spec?.type === 'NodePort' || service.spec?.type === 'LoadBalancer';
  for (const port of (service.spec?.ports ?? []) as any[]) {
    const protocol = port.protocol ?? 'TCP';
    const portName = port.name ?? '';
    if (protocol !== 'TCP') {
      skipped.push(`${portName || port.port}/${protocol}`);
      continue;
    }
    for (const host of ips) listeners.push({ host, port: port.port, portName, servicePort: port.port, kind: 'ClusterIP' });
    if (hasNodePorts && typeof port.nodePort === 'number' && port.nodePort > 0) {
      listeners.push({ host: nodePortHost, port: port.nodePort, portName, servicePort: port.port, kind: 'NodePort' });
    }
  }
  return { listeners, skipped };
}

/**
 * The ready endpoints of one Service port, read from its Endpoints object:
 * `subsets[].addresses` only — a not-ready address never receives traffic.
 * Ports match by name and protocol, as kube-proxy matches them.
 */
export function readyEndpointsFor(endpoints: KubeObject | undefined, portName: string, protocol = 'TCP'): Endpoint[] {
  const found: Endpoint[] = [];
  for (const subset of ((endpoints as any)?.subsets ?? []) as any[]) {
    const port = ((subset.ports ?? []) as any[]).find(
      (p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol && typeof p.port === 'number',
    );
    if (!port) continue;
    for (const address of (subset.addresses ?? []) as any[]) {
      if (typeof address.ip === 'string' && address.ip !== '') found.push({ ip: address.ip, port: port.port });
    }
  }
  return found;
}
