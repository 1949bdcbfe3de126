import type { StatusCause } from '../../errors/status-error.js';
import { nameProblems } from '../../kube/dns-names.js';
import { duplicate, invalidValue, notSupported, required } from './field-error.js';
import { validatePodDns } from './validate-pod-dns.js';
import { validatePodSysctls } from './validate-pod-sysctls.js';
import { validateSubPaths, validateVolumes } from './validate-volumes.js';

const PORT_RANGE = 'must be between 1 and 65535, inclusive';
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validPort(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;
}

function validateContainers(list: unknown, path: string, causes: StatusCause[], seen: Set<string>, requireOne: boolean, hostNetwork = false): void {
  if (list === undefined || list === null) {
    if (requireOne) causes.push(required(path));
    return;
  }
  if (!Array.isArray(list)) {
    causes.push(invalidValue(path, list, 'must be a list of containers'));
    return;
  }
  if (requireOne && list.length === 0) causes.push(required(path));
  list.forEach((c: any, i) => {
    const at = `${path}[${i}]`;
    if (!c || typeof c !== 'object') {
      causes.push(invalidValue(at, c, 'must be an object'));
      return;
    }
    if (!c.name) causes.push(required(`${at}.name`));
    else if (typeof c.name !== 'string') causes.push(invalidValue(`${at}.name`, c.name, 'must be a string'));
    else {
      for (const p of nameProblems(c.name, 'label')) causes.push(invalidValue(`${at}.name`, c.name, p));
      if (seen.has(c.name)) causes.push(duplicate(`${at}.name`, c.name));
      seen.add(c.name);
    }
    if (!c.image || (typeof c.image === 'string' && c.image.trim() === '')) causes.push(required(`${at}.image`));
    const ports = Array.isArray(c.ports) ? c.ports : [];
    ports.forEach((p: any, j: number) => {
      const pat = `${at}.ports[${j}]`;
      if (p?.containerPort === undefined) causes.push(required(`${pat}.containerPort`));
      else if (!validPort(p.containerPort)) causes.push(invalidValue(`${pat}.containerPort`, p.containerPort, PORT_RANGE));
      if (p?.hostPort !== undefined && p.hostPort !== 0 && !validPort(p.hostPort)) causes.push(invalidValue(`${pat}.hostPort`, p.hostPort, PORT_RANGE));
      else if (hostNetwork && validPort(p?.containerPort) && p.hostPort !== p.containerPort) causes.push(invalidValue(`${pat}.containerPort`, p.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
      if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) causes.push(notSupported(`${pat}.protocol`, p.protocol, PROTOCOLS));
    });
    causes.push(...validateSubPaths(c.volumeMounts, `${at}.volumeMounts`));
  });
}

/** The parts of a PodSpec a user gets wrong by hand: volumes, containers, their names, images, ports and subPaths, its DNS fields and sysctls. */
export function validatePodSpec(spec: any, path: string): StatusCause[] {
  if (!spec || typeof spec !== 'object') return [required(path)];
  const causes = validateVolumes(spec.volumes, `${path}.volumes`);
  const seen = new Set<string>();
  validateContainers(spec.initContainers, `${path}.initContainers`, causes, seen, false, spec.hostNetwork === true);
  validateContainers(spec.containers, `${path}.containers`, causes, seen, true, spec.hostNetwork === true);
  const policies = ['Always', 'OnFailure', 'Never'];
  if (spec.restartPolicy !== undefined && !policies.includes(spec.restartPolicy)) causes.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy, policies));
  causes.push(...validatePodDns(spec, path));
  causes.push(...validatePodSysctls(spec, path));
  return causes;
}

export function validateServicePorts(spec: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const ports = Array.isArray(spec?.ports) ? spec.ports : [];
  const type = spec?.type ?? 'ClusterIP';
  const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
  if (!types.includes(type)) causes.push(notSupported('spec.type', type, types));
  if (type !== 'ExternalName' && ports.length === 0 && spec?.clusterIP !== 'None') causes.push(required('spec.ports'));
  const names = new Set<string>();
  ports.forEach((p: any, i: number) => {
    const at = `spec.ports[${i}]`;
    if (ports.length > 1 && !p?.name) causes.push(required(`${at}.name`));
    if (p?.name) {
      if (names.has(p.name)) causes.push(duplicate(`${at}.name`, p.name));
      names.add(p.name);
    }
    if (p?.port === undefined) causes.push(required(`${at}.port`));
    else if (!validPort(p.port)) causes.push(invalidValue(`${at}.port`, p.port, PORT_RANGE));
    if (typeof p?.targetPort === 'number' && !validPort(p.targetPort)) causes.push(invalidValue(`${at}.targetPort`, p.targetPort, PORT_RANGE));
    if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) causes.push(notSupported(`${at}.protocol`, p.protocol, PROTOCOLS));
  });
  return causes;
}
