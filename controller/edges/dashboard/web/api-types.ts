// The REST API's answers as the dashboard reads them (controller/edges/api/README.md).

export type SyncStatus = 'Synced' | 'OutOfSync' | 'Syncing' | 'Unknown';
export type Health = 'Healthy' | 'Progressing' | 'Degraded' | 'Missing' | 'Unknown';
export type Role = 'deploy' | 'read-only';

export interface AppSummary {
  name: string;
  namespace: string;
  cluster: string;
  revision: string | null;
  syncStatus: SyncStatus;
  health: Health;
  message: string;
  lastSync: string | null;
}

export interface AppDetail extends AppSummary {
  observedRevision: string | null;
  manifestDigest: string | null;
  pinnedRevision: string | null;
  lastFailedRevision: string | null;
  pendingSync: 'active' | 'waiting' | 'delayed' | null;
}

export interface HistoryEntry {
  id: number;
  revision: string;
  digest: string;
  result: 'Succeeded' | 'Failed' | 'RolledBack';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  trigger: string;
  message: string;
}

export interface FieldChange {
  path: string;
  op: 'add' | 'change';
  live?: unknown;
  desired?: unknown;
  redacted?: boolean;
}

export interface ObjectDiff {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  action: 'added' | 'changed' | 'removed' | 'unchanged';
  changes: FieldChange[];
}

export interface AppDiff {
  app: string;
  revision: string;
  inSync: boolean;
  counts: Record<ObjectDiff['action'], number>;
  objects: ObjectDiff[];
}

export interface ContainerNode {
  name: string;
  image: string;
  ready: boolean;
  restarts: number;
  state: string;
}

export interface PodNode {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  podIP: string | null;
  createdAt: string | null;
  reason: string | null;
  containers: ContainerNode[];
}

export interface ReplicaSetNode {
  name: string;
  revision: string | null;
  replicas: number;
  readyReplicas: number;
  images: string[];
  pods: PodNode[];
}

export interface DeploymentNode {
  name: string;
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  conditions: { type: string; status: string; reason: string | null; message: string | null }[];
  replicaSets: ReplicaSetNode[];
}

export interface ServiceNode {
  name: string;
  type: string;
  clusterIP: string | null;
  ports: string[];
  endpoints: { ip: string; pod: string | null; ready: boolean; ports: string[] }[];
}

export interface AppResourceTree {
  app: string;
  namespace: string;
  cluster: string;
  deployments: DeploymentNode[];
  services: ServiceNode[];
  otherPods: PodNode[];
  readAt: string;
}

export interface CommitSummary {
  sha: string;
  message: string;
  author: string;
  time: string;
}

/** `GET /api/v1/previews`; fields past `health` come with the previews work and may be missing. */
export interface PreviewSummary {
  name: string;
  app: string;
  number: number;
  namespace: string;
  revision: string | null;
  url: string | null;
  syncStatus: SyncStatus;
  health: Health;
  repository?: string;
  title?: string;
  author?: string;
  branch?: string;
  headSha?: string;
  requestUrl?: string;
  fromFork?: boolean;
  openedAt?: string;
  updatedAt?: string;
}

export interface StateEvent {
  id: string;
  type: string;
  app?: string;
  time: string;
  data?: unknown;
}
