import type { KubeObject } from '../kube/object.js';

function envName(name: string): string {
  return name.toUpperCase().replaceAll('-', '_');
}

/**
 * The variables Kubernetes gives a container for each Service of its
 * namespace that exists when it starts: `<NAME>_SERVICE_HOST`, `_SERVICE_PORT`,
 * `_SERVICE_PORT_<PORT NAME>`, and the Docker-link style `<NAME>_PORT…` set.
 */
export function serviceEnv(services: KubeObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const svc of services) {
    const ip: string | undefined = svc.spec?.clusterIP;
    const ports: Array<{ name?: string; port: number; protocol?: string }> = svc.spec?.ports ?? [];
    if (!ip || ip === 'None' || ports.length === 0) continue;
    const prefix = envName(svc.metadata.name!);
    env[`${prefix}_SERVICE_HOST`] = ip;
    env[`${prefix}_SERVICE_PORT`] = String(ports[0].port);
    for (const p of ports) if (p.name) env[`${prefix}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
    const first = ports[0];
    env[`${prefix}_PORT`] = `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`;
    for (const p of ports) {
      const proto = (p.protocol ?? 'TCP').toUpperCase();
      const base = `${prefix}_PORT_${p.port}_${proto}`;
      env[base] = `${proto.toLowerCase()}://${ip}:${p.port}`;
      env[`${base}_PROTO`] = proto.toLowerCase();
      env[`${base}_PORT`] = String(p.port);
      env[`${base}_ADDR`] = ip;
    }
  }
  return env;
}
