import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../kube/object.js';
import { selectorMatches, type LabelSelector } from '../../kube/label-selector.js';
import type { Cluster } from '../../objects/cluster.js';
import { getIfExists } from '../../objects/get-if-exists.js';
import { resources } from '../../resources/registry.js';
import { done, startReconciler, type RunningReconciler } from '../reconciler.js';

type Rule = Record<string, unknown>;

function selectorsOf(role: KubeObject): LabelSelector[] | undefined {
  const selectors = (role.aggregationRule as { clusterRoleSelectors?: LabelSelector[] } | undefined)?.clusterRoleSelectors;
  return Array.isArray(selectors) && selectors.length > 0 ? selectors : undefined;
}

/**
 * The rules an aggregated ClusterRole gathers, as kube-controller-manager's
 * clusterrole-aggregation controller computes them: for each selector in turn,
 * the matching ClusterRoles (itself excepted) by name, each rule once.
 */
export function aggregatedRules(role: KubeObject, all: readonly KubeObject[]): Rule[] {
  const rules: Rule[] = [];
  const byName = [...all].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  for (const selector of selectorsOf(role) ?? []) {
    for (const other of byName) {
      if (other.metadata.name === role.metadata.name || !selectorMatches(selector, other.metadata.labels)) continue;
      for (const rule of Array.isArray(other.rules) ? (other.rules as Rule[]) : []) {
        if (!rules.some((r) => isDeepStrictEqual(r, rule))) rules.push(rule);
      }
    }
  }
  return rules;
}

/**
 * Keeps each ClusterRole with an `aggregationRule` holding the rules of the
 * ClusterRoles its selectors match (a chart's `aggregate-to-edit` role reaches
 * everyone bound to `edit`). Any ClusterRole's change may change any
 * aggregate, so every change wakes them all; there are few.
 */
export async function startClusterRoleAggregationController(options: { cluster: Cluster; resyncMs?: number }): Promise<RunningReconciler> {
  const { cluster } = options;
  const aggregates = new Set<string>();
  return startReconciler({
    name: 'clusterrole-aggregation',
    cluster,
    primary: resources.clusterroles,
    watches: [
      {
        type: resources.clusterroles,
        // Every list (the first one too, which wakes no keys) says which roles aggregate: a restarted
        // runtime must know its aggregates before the first change of a labelled role.
        onSync: (items) => {
          aggregates.clear();
          for (const role of items) if (selectorsOf(role)) aggregates.add(role.metadata.name!);
        },
        keysFor: (event) => {
          const name = event.object.metadata.name!;
          if (event.type !== 'DELETED' && selectorsOf(event.object)) aggregates.add(name);
          else aggregates.delete(name);
          return [...aggregates];
        },
      },
    ],
    reconcile: async (name) => {
      const role = await getIfExists(cluster, resources.clusterroles, undefined, name);
      if (!role || !selectorsOf(role)) return done;
      const rules = aggregatedRules(role, (await cluster.list(resources.clusterroles)).items);
      if (isDeepStrictEqual(rules, role.rules ?? [])) return done;
      // A conflict (the role changed meanwhile) throws, and the reconcile reads it again.
      await cluster.update(resources.clusterroles, { ...role, rules });
      return done;
    },
    resyncMs: options.resyncMs ?? 60_000,
  });
}
