import type { KubeObject } from '../../kube/object.js';

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** The tolerations every daemon pod gets (util.AddOrUpdateDaemonPodTolerations), so node conditions do not evict it. */
export function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  const t = (key: string, effect: string): Toleration => ({ key: `node.kubernetes.io/${key}`, operator: 'Exists', effect });
  const list = [t('not-ready', 'NoExecute'), t('unreachable', 'NoExecute'), t('disk-pressure', 'NoSchedule'), t('memory-pressure', 'NoSchedule'), t('pid-pressure', 'NoSchedule'), t('unschedulable', 'NoSchedule')];
  if (hostNetwork) list.push(t('network-unavailable', 'NoSchedule'));
  return list;
}

/** `tolerations` plus the daemon ones, an existing toleration of the same key, operator, value and effect kept. */
export function withDaemonTolerations(tolerations: Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(tolerations ?? [])];
  const same = (a: Toleration, b: Toleration) => a.key === b.key && (a.operator ?? 'Equal') === (b.operator ?? 'Equal') && (a.value ?? '') === (b.value ?? '') && a.effect === b.effect;
  for (const t of daemonPodTolerations(hostNetwork)) if (!out.some((o) => same(o, t))) out.push(t);
  return out;
}

/** v1.Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const [have, want] = [Number.parseInt(value, 10), Number.parseInt(values[0], 10)];
      if (Number.isNaN(have) || Number.isNaN(want)) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** A node selector term: every expression on labels and every field (only metadata.name) must match; an empty term matches nothing. */
function termMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  return (
    exprs.every((r) => requirementMatches(r, labels[r.key])) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, String(node.metadata.name)))
  );
}

export interface Eligibility {
  /** The node should run a daemon pod (NodeShouldRunDaemonPod's shouldRun). */
  shouldRun: boolean;
  /** A pod already there may stay (false only for an untolerated NoExecute taint or a different nodeName). */
  shouldContinueRunning: boolean;
}

/**
 * Whether `node` should run the DaemonSet's pod (NodeShouldRunDaemonPod): the
 * template's nodeName, nodeSelector and required node affinity match it, and
 * its NoSchedule / NoExecute taints are tolerated (with the daemon tolerations added).
 */
export function nodeEligibility(template: any, node: KubeObject): Eligibility {
  const spec = template?.spec ?? {};
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  const labels = node.metadata.labels ?? {};
  const selector: Record<string, string> = spec.nodeSelector ?? {};
  let fits = Object.entries(selector).every(([k, v]) => labels[k] === v);
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms as NodeSelectorTerm[] | undefined;
  if (fits && terms) fits = terms.some((term) => termMatches(term, node));
  const tolerations = withDaemonTolerations(spec.tolerations, spec.hostNetwork === true);
  const untolerated = ((node.spec?.taints ?? []) as Taint[]).filter((taint) => taint.effect !== 'PreferNoSchedule' && !tolerations.some((t) => tolerates(t, taint)));
  if (untolerated.some((t) => t.effect === 'NoExecute')) return { shouldRun: false, shouldContinueRunning: false };
  if (untolerated.length > 0) return { shouldRun: false, shouldContinueRunning: fits };
  return { shouldRun: fits, shouldContinueRunning: fits };
}
