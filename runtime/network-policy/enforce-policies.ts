import { pino, type Logger } from 'pino';
import { startReconciler, done, type RunningReconciler } from '../controllers/index.js';
import { batchedLoad } from '../network/batched-load.js';
import { cidrOf, contains, ipToInt, parseCidr } from '../network/ipv4-cidr.js';
import type { PodNetwork } from '../network/network-types.js';
import type { ChainOwner } from '../network/table-groups.js';
import type { Cluster } from '../objects/cluster.js';
import type { KubeObject } from '../kube/object.js';
import { resources } from '../resources/registry.js';
import { compileNetworkPolicies } from './compile-network-policies.js';
import { policyPodOf, type PolicyPod } from './policy-pod.js';

export interface PolicyEnforcerOptions {
  cluster: Cluster;
  /** A network started with Services in the kernel (its table has the policy chains' hooks). */
  network: PodNetwork;
  /** Peers that are not pods but that policies may name by selector (cluster DNS on the bridge's gateway). */
  extraPeers?: PolicyPod[];
  /** @defaultValue 10 */
  batchMs?: number;
  /** @defaultValue 30000 */
  resyncMs?: number;
  /** @defaultValue a pino logger named `network-policy` */
  logger?: Logger;
}

export interface PolicyEnforcer {
  /** Re-reads policies, pods and namespaces and resolves once the kernel enforces them (tests). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const OWNER: ChainOwner = { name: 'network-policy', owns: (name) => name.startsWith('np-') };

/**
 * Enforces every NetworkPolicy on the pod network: any change to a policy, a
 * pod or a namespace recompiles the whole set (pure, milliseconds for
 * hundreds of pods) and loads what changed. Pods outside the pod CIDR (host
 * programs of the process driver) never cross the bridge and are left out.
 */
export async function startPolicyEnforcer(options: PolicyEnforcerOptions): Promise<PolicyEnforcer> {
  const { cluster, network } = options;
  const logger = options.logger ?? pino({ name: 'network-policy' });
  const parsed = parseCidr(network.podCidr)!;
  const podCidr = cidrOf(parsed.address, parsed.prefix);
  const reported = new Set<string>();

  const load = async () => {
    const [policies, pods, namespaces] = await Promise.all([
      cluster.list(resources.networkpolicies),
      cluster.list(resources.pods),
      cluster.list(resources.namespaces),
    ]);
    const onBridge = pods.items.flatMap((pod: KubeObject) => {
      const peer = policyPodOf(pod);
      const ip = peer && ipToInt(peer.ip);
      return peer && ip !== undefined && contains(podCidr, ip) ? [peer] : [];
    });
    const compiled = compileNetworkPolicies({ policies: policies.items, pods: onBridge, namespaces: namespaces.items, extraPeers: options.extraPeers });
    await network.applyChains(OWNER, { chains: compiled.chains });
    for (const problem of compiled.problems) {
      const line = `${problem.kind} ${problem.namespace}/${problem.name}: ${problem.field}: ${problem.message}`;
      if (reported.has(line)) continue;
      reported.add(line);
      logger.warn({ problem }, `network policy: ${line}`);
    }
  };
  const batch = batchedLoad({ what: 'network policy rules', batchMs: options.batchMs ?? 10, logger, load });
  // Enforced before anything is served: a restart never opens a window of default-allow.
  await batch.now();

  const anyChange = () => ['all'];
  const reconciler: RunningReconciler = await startReconciler({
    name: 'network-policy',
    cluster,
    primary: resources.networkpolicies,
    watches: [
      { type: resources.pods, keysFor: anyChange },
      { type: resources.namespaces, keysFor: anyChange },
    ],
    reconcile: async () => {
      batch.schedule();
      return done;
    },
    resyncMs: options.resyncMs ?? 30_000,
    logger,
  });

  return {
    settled: () => batch.now(),
    async stop() {
      await reconciler.stop();
      await batch.stop();
    },
  };
}
