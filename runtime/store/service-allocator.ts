import { invalid } from '../errors/status-error.js';
import type { KubeObject } from '../kube/object.js';

const LOOPBACK_RANGE = { base: (127 << 24) | (2 << 16), count: 1 << 16 }; // 127.2.0.0/16
/** Addresses at the start of the range kept for Services that ask for one (kube-dns takes the 10th), as Kubernetes' static band. */
const STATIC_BAND = 16;
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

function ipToString(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function stringToIp(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function usesClusterIP(spec: any): boolean {
  return spec?.type !== 'ExternalName' && spec?.clusterIP !== 'None';
}

function usesNodePorts(spec: any): boolean {
  return spec?.type === 'NodePort' || spec?.type === 'LoadBalancer';
}

/**
 * Hands out Service ClusterIPs and NodePorts (30000–32767). ClusterIPs come
 * from the service CIDR when the kernel carries Services, else from
 * 127.2.0.0/16 (loopback, so the userspace proxy can listen on them). The
 * allocations are derived from the stored Services, so they need no
 * persistence of their own.
 */
export class ServiceAllocator {
  private readonly ips = new Set<string>();
  private readonly ports = new Set<number>();
  private range = LOOPBACK_RANGE;
  // Start at a random point (as the kubelet's pod IPs do) so two runtimes on one
  // machine, e.g. parallel tests, rarely hand out the same loopback address.
  private nextIp = 1 + Math.floor(Math.random() * (LOOPBACK_RANGE.count - 2));
  private nextPort = NODE_PORT_MIN + Math.floor(Math.random() * (NODE_PORT_MAX - NODE_PORT_MIN));

  /** Allocates new ClusterIPs from `cidr` (`a.b.c.d/n`) from now on; stored Services keep theirs. */
  useRange(cidr: string): void {
    const [address, prefix] = cidr.split('/');
    const base = stringToIp(address);
    if (base === undefined || !(Number(prefix) >= 8 && Number(prefix) <= 30)) throw new Error(`service CIDR ${cidr} is not an IPv4 range`);
    this.range = { base, count: 2 ** (32 - Number(prefix)) };
    this.nextIp = STATIC_BAND + Math.floor(Math.random() * (this.range.count - STATIC_BAND - 1));
  }

  /** Whether `ip` lies in the range ClusterIPs are handed out from. */
  private inRange(ip: string): boolean {
    const n = stringToIp(ip);
    return n !== undefined && n - this.range.base >= 0 && n - this.range.base < this.range.count;
  }

  /** The range as `a.b.c.d/n`. */
  private cidr(): string {
    return `${ipToString(this.range.base)}/${32 - Math.log2(this.range.count)}`;
  }

  /** The `n`th address of the range (kube-dns is the 10th, as in Kubernetes). */
  addressAt(n: number): string {
    return ipToString((this.range.base + n) >>> 0);
  }

  /** Marks what an already stored Service holds. */
  adopt(service: KubeObject): void {
    const spec = service.spec ?? {};
    if (spec.clusterIP && spec.clusterIP !== 'None') this.ips.add(spec.clusterIP);
    for (const p of spec.ports ?? []) if (p.nodePort) this.ports.add(p.nodePort);
  }

  release(service: KubeObject): void {
    const spec = service.spec ?? {};
    if (spec.clusterIP) this.ips.delete(spec.clusterIP);
    for (const p of spec.ports ?? []) if (p.nodePort) this.ports.delete(p.nodePort);
  }

  /**
   * Fills in `spec` of a Service being created or updated (`previous` set), keeping
   * what the previous version held as Kubernetes does when a PUT omits allocated values.
   * Mutates `service`; call `release(previous)` is not needed — this accounts for it.
   */
  assign(service: KubeObject, previous?: KubeObject): void {
    const spec = (service.spec ??= {});
    const old = previous?.spec ?? {};
    const name = service.metadata.name ?? '';
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    for (const p of spec.ports ?? []) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
    if (previous && !spec.clusterIP && old.clusterIP && spec.type === (old.type ?? 'ClusterIP')) {
      spec.clusterIP = old.clusterIP;
    }
    if (previous && old.clusterIP && spec.clusterIP !== old.clusterIP && old.clusterIP !== 'None' && usesClusterIP(spec)) {
      throw invalid('Service', name, [{ field: 'spec.clusterIPs[0]', message: 'Invalid value: field is immutable' }]);
    }
    const oldPorts = new Map<string, number>();
    for (const p of old.ports ?? []) if (p.nodePort) oldPorts.set(`${p.port}/${p.protocol ?? 'TCP'}`, p.nodePort);
    const oldSet = new Set(oldPorts.values());
    const claimed: string[] = [];
    const claimedPorts: number[] = [];
    try {
      if (usesClusterIP(spec)) {
        if (!spec.clusterIP) {
          spec.clusterIP = this.allocateIp(name);
          claimed.push(spec.clusterIP);
        } else if (spec.clusterIP !== old.clusterIP) {
          if (stringToIp(spec.clusterIP) === undefined) {
            throw invalid('Service', name, [{ field: 'spec.clusterIPs[0]', message: `Invalid value: "${spec.clusterIP}": must be a valid IP address` }]);
          }
          // Kubernetes' rule: an address outside the range could be a pod's or the host's, and its rules would take that traffic.
          if (!this.inRange(spec.clusterIP)) {
            throw invalid('Service', name, [{ field: 'spec.clusterIPs', message: `Invalid value: ["${spec.clusterIP}"]: failed to allocate IP ${spec.clusterIP}: provided IP is not in the valid range. The range of valid IPs is ${this.cidr()}` }]);
          }
          if (this.ips.has(spec.clusterIP)) {
            throw invalid('Service', name, [{ field: 'spec.clusterIPs', message: `Invalid value: ["${spec.clusterIP}"]: failed to allocate IP ${spec.clusterIP}: provided IP is already allocated` }]);
          }
          this.ips.add(spec.clusterIP);
          claimed.push(spec.clusterIP);
        }
        spec.clusterIPs = [spec.clusterIP];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      } else if (spec.clusterIP === 'None') {
        spec.clusterIPs = ['None'];
      }
      if (usesNodePorts(spec)) {
        for (const p of spec.ports ?? []) {
          if (!p.nodePort && usesNodePorts(old)) p.nodePort = oldPorts.get(`${p.port}/${p.protocol}`);
          if (!p.nodePort) {
            p.nodePort = this.allocatePort(name);
            claimedPorts.push(p.nodePort);
          } else if (!oldSet.has(p.nodePort)) {
            if (p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX || this.ports.has(p.nodePort)) {
              throw invalid('Service', name, [{ field: 'spec.ports[].nodePort', message: `Invalid value: ${p.nodePort}: provided port is ${this.ports.has(p.nodePort) ? 'already allocated' : `not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`}` }]);
            }
            this.ports.add(p.nodePort);
            claimedPorts.push(p.nodePort);
          }
        }
      } else {
        for (const p of spec.ports ?? []) delete p.nodePort;
      }
    } catch (err) {
      for (const ip of claimed) this.ips.delete(ip);
      for (const port of claimedPorts) this.ports.delete(port);
      throw err;
    }
    if (previous) {
      // Give back what the previous version held and this one no longer does.
      if (old.clusterIP && old.clusterIP !== spec.clusterIP) this.ips.delete(old.clusterIP);
      const kept = new Set((spec.ports ?? []).map((p: any) => p.nodePort));
      for (const port of oldSet) if (!kept.has(port)) this.ports.delete(port);
    }
  }

  private allocateIp(name: string): string {
    const { base, count } = this.range;
    // Dynamic addresses come from above the static band (below it on a range too small to have one), never the network or broadcast address.
    const low = count > 4 * STATIC_BAND ? STATIC_BAND : 1;
    const span = count - 1 - low;
    for (let i = 0; i < span; i++) {
      const offset = low + ((this.nextIp - low + i + span) % span);
      const ip = ipToString((base + offset) >>> 0);
      if (!this.ips.has(ip)) {
        this.ips.add(ip);
        this.nextIp = offset + 1;
        return ip;
      }
    }
    throw invalid('Service', name, [{ field: 'spec.clusterIPs', message: 'Internal error: failed to allocate a serviceIP: range is full' }]);
  }

  private allocatePort(name: string): number {
    const span = NODE_PORT_MAX - NODE_PORT_MIN + 1;
    for (let i = 0; i < span; i++) {
      const port = NODE_PORT_MIN + ((this.nextPort - NODE_PORT_MIN + i) % span);
      if (!this.ports.has(port)) {
        this.ports.add(port);
        this.nextPort = port + 1;
        return port;
      }
    }
    throw invalid('Service', name, [{ field: 'spec.ports[].nodePort', message: 'Internal error: failed to allocate a nodePort: range is full' }]);
  }
}
