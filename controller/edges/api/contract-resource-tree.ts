// `GET /api/v1/apps/:name/resources` as the wire carries it; part of the REST contract (contract.ts).
// Pure types: the dashboard (lib DOM, no node types) imports them too.

/** One container of a pod, as the dashboard shows it. */
export interface ContainerNode {
  name: string;
  image: string;
  ready: boolean;
  restarts: number;
  /** `running`, `waiting: CrashLoopBackOff`, `terminated: Error (exit 1)`. */
  state: string;
}

export interface PodNode {
  name: string;
  phase: string;
  /** The Ready condition is True: the pod receives traffic. */
  ready: boolean;
  /** Restarts summed over its containers. */
  restarts: number;
  podIP: string | null;
  /** ISO 8601 creation time. */
  createdAt: string | null;
  /** Why it is not ready, when the runtime says (a failing probe, an exit code). */
  reason: string | null;
  containers: ContainerNode[];
}

export interface ReplicaSetNode {
  name: string;
  /** The Deployment's revision number this ReplicaSet holds (`deployment.kubernetes.io/revision`). */
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
  /** Newest revision first. */
  replicaSets: ReplicaSetNode[];
}

export interface EndpointNode {
  ip: string;
  /** The pod behind the address, when the Endpoints object names it. */
  pod: string | null;
  ready: boolean;
  ports: string[];
}

export interface ServiceNode {
  name: string;
  type: string;
  clusterIP: string | null;
  /** `80→http/TCP`. */
  ports: string[];
  endpoints: EndpointNode[];
}

/** `GET /api/v1/apps/:name/resources`: the app's live workloads as a tree, read from its cluster now. */
export interface AppResourceTree {
  app: string;
  namespace: string;
  cluster: string;
  deployments: DeploymentNode[];
  services: ServiceNode[];
  /** Pods of the app owned by no ReplicaSet of its Deployments (bare pods, Jobs' pods). */
  otherPods: PodNode[];
  /** ISO 8601: when the cluster was read. */
  readAt: string;
}
