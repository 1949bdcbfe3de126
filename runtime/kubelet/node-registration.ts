import os from 'node:os';
import type { Cluster } from '../objects/cluster.js';
import type { KubeObject } from '../kube/object.js';
import { resources } from '../resources/registry.js';
import { isNotFound } from './is-not-found.js';
import type { NodeResources } from './scheduler.js';

/**
 * Pods the single node admits. A stock kubelet says 110, but here one node is
 * the whole cluster and its pods are plain processes, so it takes far more.
 */
const MAX_PODS = 2000;

/** The machine as a Node: all CPUs and memory, as kubelet reports them without reservations. */
export function localNodeResources(nodeName: string): NodeResources {
  return {
    cpuMillis: os.cpus().length * 1000,
    memoryBytes: os.totalmem(),
    pods: MAX_PODS,
    labels: nodeLabels(nodeName),
  };
}

function nodeLabels(nodeName: string): Record<string, string> {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return {
    'kubernetes.io/hostname': nodeName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': arch,
    'node-role.kubernetes.io/control-plane': '',
  };
}

function nodeStatus(nodeName: string, driverName: string, previous: any, ready: boolean): Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const capacity = {
    cpu: String(os.cpus().length),
    memory: `${Math.floor(os.totalmem() / 1024)}Ki`,
    pods: String(MAX_PODS),
  };
  const before = (previous?.conditions ?? []).find((c: any) => c.type === 'Ready');
  const status = ready ? 'True' : 'Unknown';
  return {
    capacity,
    allocatable: capacity,
    conditions: [
      ...[
        ['MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
        ['DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      ].map(([type, reason, message]) => ({
        type,
        status: 'False',
        reason,
        message,
        lastHeartbeatTime: now,
        lastTransitionTime: (previous?.conditions ?? []).find((c: any) => c.type === type)?.lastTransitionTime ?? now,
      })),
      {
        type: 'Ready',
        status,
        reason: ready ? 'KubeletReady' : 'NodeStatusUnknown',
        message: ready ? 'kubelet is posting ready status' : 'Kubelet stopped posting node status.',
        lastHeartbeatTime: now,
        lastTransitionTime: before?.status === status ? before.lastTransitionTime : now,
      },
    ],
    addresses: [
      { type: 'InternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: os.release(),
      osImage: `${os.type()} ${os.release()}`,
      containerRuntimeVersion: `baton-${driverName}://0.1.0`,
      kubeletVersion: 'v1.32.0-baton',
      kubeProxyVersion: 'v1.32.0-baton',
      operatingSystem: 'linux',
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    },
  };
}

/** Creates or refreshes this node's object with a current Ready heartbeat (or Unknown when the kubelet stops). */
export async function registerNode(cluster: Cluster, nodeName: string, driverName: string, ready = true): Promise<KubeObject> {
  let node: KubeObject;
  try {
    node = await cluster.get(resources.nodes, undefined, nodeName);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    node = await cluster.create(resources.nodes, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: nodeName, labels: nodeLabels(nodeName) },
      spec: {},
    });
  }
  return cluster.update(resources.nodes, { ...node, status: nodeStatus(nodeName, driverName, node.status, ready) }, { status: true, fieldManager: 'kubelet' });
}

/** One RuntimeClass per handler of this node (`oci`, `process`), as a cluster's admin would create them. */
export async function registerRuntimeClasses(cluster: Cluster, handlers: string[]): Promise<void> {
  for (const handler of handlers) {
    try {
      await cluster.get(resources.runtimeclasses, undefined, handler);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await cluster.create(resources.runtimeclasses, { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: handler }, handler });
    }
  }
}
