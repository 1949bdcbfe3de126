import type { StatusCause } from '../../errors/status-error.js';
import { nameProblems, qualifiedNameProblems } from '../../kube/dns-names.js';
import { duplicate, invalidValue, notSupported, required } from './field-error.js';

const FILE_MODE = 'must be a number between 0 and 0777 (octal), both inclusive';
const DOWNWARD_FIELDS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
/** Pod fields the downward API converts at all (Kubernetes' ConvertDownwardAPIFieldLabel); volumes take only DOWNWARD_FIELDS. */
const POD_FIELD_LABELS = [
  ...DOWNWARD_FIELDS,
  'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName',
  'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];
const RESOURCE_FIELDS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function noBacksteps(path: string, at: string): StatusCause[] {
  return path.split('/').includes('..') ? [invalidValue(at, path, "must not contain '..'")] : [];
}

/** Kubernetes' validateLocalDescendingPath: relative, and no `..` element. */
export function localDescendingPath(path: string, at: string): StatusCause[] {
  return [...(path.startsWith('/') ? [invalidValue(at, path, 'must be a relative path')] : []), ...noBacksteps(path, at)];
}

/** Kubernetes' ValidateLocalNonReservedPath: also not starting with `..` (the writer's own `..data` names). */
function localNonReservedPath(path: string, at: string): StatusCause[] {
  const causes = localDescendingPath(path, at);
  if (path.startsWith('..') && !path.startsWith('../')) causes.push(invalidValue(at, path, "must not start with '..'"));
  return causes;
}

function fileMode(mode: unknown, at: string): StatusCause[] {
  if (mode === undefined || mode === null) return [];
  return Number.isInteger(mode) && (mode as number) >= 0 && (mode as number) <= 0o777 ? [] : [invalidValue(at, mode, FILE_MODE)];
}

function keyToPath(item: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!text(item?.key)) causes.push(required(`${at}.key`));
  if (!text(item?.path)) causes.push(required(`${at}.path`));
  causes.push(...localNonReservedPath(text(item?.path), `${at}.path`), ...fileMode(item?.mode, `${at}.mode`));
  return causes;
}

function keyToPaths(items: unknown, at: string): StatusCause[] {
  return (Array.isArray(items) ? items : []).flatMap((item, i) => keyToPath(item, `${at}.items[${i}]`));
}

function fieldSelector(ref: any, at: string): StatusCause[] {
  const path = text(ref?.fieldPath);
  if (!path) return [required(`${at}.fieldPath`)];
  const subscripted = /^(.+)\['(.*)'\]$/s.exec(path);
  if (subscripted) {
    const [, base, key] = subscripted;
    if (base === 'metadata.labels') return qualifiedNameProblems(key).map((p) => invalidValue(at, key, p));
    if (base === 'metadata.annotations') return qualifiedNameProblems(key.toLowerCase()).map((p) => invalidValue(at, key.toLowerCase(), p));
    return [invalidValue(`${at}.fieldPath`, path, `error converting fieldPath: field label does not support subscript: ${path}`)];
  }
  if (!POD_FIELD_LABELS.includes(path)) return [invalidValue(`${at}.fieldPath`, path, `error converting fieldPath: field label not supported: ${path}`)];
  return DOWNWARD_FIELDS.includes(path) ? [] : [notSupported(`${at}.fieldPath`, path, DOWNWARD_FIELDS)];
}

function resourceSelector(ref: any, at: string): StatusCause[] {
  if (!text(ref?.containerName)) return [required(`${at}.containerName`)];
  const resource = text(ref?.resource);
  if (!resource) return [required(`${at}.resource`)];
  if (RESOURCE_FIELDS.includes(resource) || /^(requests|limits)\.hugepages-/.test(resource)) return [];
  return [notSupported(`${at}.resource`, resource, RESOURCE_FIELDS)];
}

/** One downwardAPI item; Kubernetes reports them at the volume's path, without the item index. */
function downwardFile(file: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!text(file?.path)) causes.push(required(`${at}.path`));
  causes.push(...localNonReservedPath(text(file?.path), `${at}.path`));
  if (file?.fieldRef) {
    causes.push(...fieldSelector(file.fieldRef, `${at}.fieldRef`));
    if (file.resourceFieldRef) causes.push(invalidValue(at, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (file?.resourceFieldRef) {
    causes.push(...resourceSelector(file.resourceFieldRef, `${at}.resourceFieldRef`));
  } else {
    causes.push({ ...required(at), message: 'Required value: one of fieldRef and resourceFieldRef is required' });
  }
  causes.push(...fileMode(file?.mode, `${at}.mode`));
  return causes;
}

function downwardFiles(items: unknown, at: string): StatusCause[] {
  return (Array.isArray(items) ? items : []).flatMap((file) => downwardFile(file, at));
}

function projectedSources(projected: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  (Array.isArray(projected.sources) ? projected.sources : []).forEach((source: any, i: number) => {
    const src = `${at}.sources[${i}]`;
    for (const kind of ['secret', 'configMap'] as const) {
      if (!source?.[kind]) continue;
      if (!text(source[kind].name)) causes.push(required(`${src}.${kind}.name`));
      causes.push(...keyToPaths(source[kind].items, `${src}.${kind}`));
    }
    if (source?.downwardAPI) causes.push(...downwardFiles(source.downwardAPI.items, `${src}.downwardAPI`));
    const token = source?.serviceAccountToken;
    // Kubernetes names the projected volume's own path here, not the source's.
    if (token && !text(token.path)) causes.push(required(`${at}.path`));
    else if (token) causes.push(...localNonReservedPath(text(token.path), `${at}.path`));
  });
  return causes;
}

function volumeSource(volume: any, at: string): StatusCause[] {
  if (volume.configMap) {
    const cm = volume.configMap;
    return [...(text(cm.name) ? [] : [required(`${at}.configMap.name`)]), ...fileMode(cm.defaultMode, `${at}.configMap.defaultMode`), ...keyToPaths(cm.items, `${at}.configMap`)];
  }
  if (volume.secret) {
    const s = volume.secret;
    return [...(text(s.secretName) ? [] : [required(`${at}.secret.secretName`)]), ...fileMode(s.defaultMode, `${at}.secret.defaultMode`), ...keyToPaths(s.items, `${at}.secret`)];
  }
  if (volume.downwardAPI) return [...fileMode(volume.downwardAPI.defaultMode, `${at}.downwardAPI.defaultMode`), ...downwardFiles(volume.downwardAPI.items, `${at}.downwardAPI`)];
  if (volume.projected) return [...fileMode(volume.projected.defaultMode, `${at}.projected.defaultMode`), ...projectedSources(volume.projected, `${at}.projected`)];
  if (volume.hostPath) {
    const path = text(volume.hostPath.path);
    if (!path) return [required(`${at}.hostPath.path`)];
    const type = volume.hostPath.type;
    return [...noBacksteps(path, `${at}.hostPath.path`), ...(type === undefined || HOST_PATH_TYPES.includes(type) ? [] : [notSupported(`${at}.hostPath.type`, type, HOST_PATH_TYPES)])];
  }
  return [];
}

/** Kubernetes' ValidateVolumes for the kinds the runtime reads: a volume's name becomes a directory, its item paths files in it. */
export function validateVolumes(volumes: unknown, path: string): StatusCause[] {
  if (volumes === undefined || volumes === null) return [];
  if (!Array.isArray(volumes)) return [invalidValue(path, volumes, 'must be a list of volumes')];
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  volumes.forEach((volume: any, i) => {
    const at = `${path}[${i}]`;
    if (!volume || typeof volume !== 'object') {
      causes.push(invalidValue(at, volume, 'must be an object'));
      return;
    }
    causes.push(...volumeSource(volume, at));
    const name = text(volume.name);
    if (!name) causes.push(required(`${at}.name`));
    else for (const p of nameProblems(name, 'label')) causes.push(invalidValue(`${at}.name`, name, p));
    if (names.has(name)) causes.push(duplicate(`${at}.name`, name));
    names.add(name);
  });
  return causes;
}

/**
 * A volumeMount's subPath and subPathExpr, as Kubernetes' ValidateVolumeMounts
 * checks them. Its path checks name the list (`volumeMounts.subPath`, no
 * index) while the both-set check names the mount: kube-apiserver answers so.
 */
export function validateSubPaths(mounts: unknown, path: string): StatusCause[] {
  return (Array.isArray(mounts) ? mounts : []).flatMap((m: any, i) => {
    const subPath = text(m?.subPath);
    const expr = text(m?.subPathExpr);
    const causes = subPath ? localDescendingPath(subPath, `${path}.subPath`) : [];
    if (expr && subPath) causes.push(invalidValue(`${path}[${i}].subPathExpr`, expr, 'subPathExpr and subPath are mutually exclusive'));
    if (expr) causes.push(...localDescendingPath(expr, `${path}.subPathExpr`));
    return causes;
  });
}
