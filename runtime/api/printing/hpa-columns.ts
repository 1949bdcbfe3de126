import type { KubeObject } from '../../kube/object.js';
import { ageOf } from './human-duration.js';
import type { ColumnDefinition, ColumnSet } from './column-sets.js';
import { hpaToV2 } from '../conversion/hpa-v1-conversion.js';

const column = (name: string, type: ColumnDefinition['type'], description: string, format = ''): ColumnDefinition => ({ name, type, format, description, priority: 0 });

/** formatHPAMetrics of kubectl's printers: `cpu: 25%/50%`, `memory: 60Mi/100Mi`, `<unknown>` before the first measurement, two at most. */
function targets(given: KubeObject): string {
  // kubectl's printer prints the internal version: a v1 object reads as its v2 form.
  const hpa = given.apiVersion === 'autoscaling/v1' ? hpaToV2(given) : given;
  const specs = (hpa.spec?.metrics ?? []) as Array<Record<string, any>>;
  const statuses = (hpa.status?.currentMetrics ?? []) as Array<Record<string, any>>;
  if (specs.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const [i, spec] of specs.entries()) {
    if (spec.type === 'Resource' || spec.type === 'ContainerResource') {
      const field = spec.type === 'Resource' ? 'resource' : 'containerResource';
      const name = spec[field]?.name ?? '';
      const target = spec[field]?.target ?? {};
      const current = statuses[i]?.[field]?.current;
      if (target.averageValue !== undefined) list.push(`${name}: ${current?.averageValue ?? '<unknown>'}/${target.averageValue}`);
      else list.push(`${name}: ${current?.averageUtilization !== undefined ? `${current.averageUtilization}%` : '<unknown>'}/${target.averageUtilization !== undefined ? `${target.averageUtilization}%` : '<auto>'}`);
    } else {
      list.push('<unknown>');
    }
    if (list.length > 2) {
      list.length = 2;
      return `${list.join(', ')} + ${specs.length - count} more...`;
    }
    count++;
  }
  return list.join(', ');
}

export const hpaColumnSets: Record<string, ColumnSet> = {
  HorizontalPodAutoscaler: {
    columns: [
      { ...column('Name', 'string', 'Name must be unique within a namespace.', 'name') },
      column('Reference', 'string', 'reference is the target resource of the autoscaler.'),
      column('Targets', 'string', 'the metrics the autoscaler follows: current/target.'),
      column('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas.'),
      column('MaxPods', 'integer', 'maxReplicas is the upper limit for the number of replicas.'),
      column('Replicas', 'integer', 'currentReplicas is the current number of replicas of pods managed by this autoscaler.'),
      column('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
    ],
    cells: (hpa, now) => {
      const ref = hpa.spec?.scaleTargetRef ?? {};
      const minPods = hpa.spec?.minReplicas !== undefined ? String(hpa.spec.minReplicas) : '<unset>';
      return [hpa.metadata.name, `${ref.kind ?? ''}/${ref.name ?? ''}`, targets(hpa), minPods, hpa.spec?.maxReplicas ?? 0, hpa.status?.currentReplicas ?? 0, ageOf(hpa.metadata.creationTimestamp, now)];
    },
  },
};
