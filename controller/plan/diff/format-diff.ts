import type { FieldChange } from './compare-fields.js';
import type { AppDiff, ObjectDiff } from './diff-objects.js';

const marks: Record<ObjectDiff['action'], string> = { added: '+', changed: '~', removed: '-', unchanged: ' ' };
const maxValueChars = 200;

/**
 * A diff for people, one object per line, changed fields indented below:
 * ```
 * ~ Deployment shop/users
 *     spec.template.spec.containers[name=users].image: "node:20" → "node:22"
 * + Service shop/users
 * - ConfigMap shop/old (prune)
 * ```
 * Unchanged objects are left out unless `all` is set.
 */
export function formatDiff(diff: AppDiff, options: { all?: boolean } = {}): string {
  const lines: string[] = [];
  for (const o of diff.objects) {
    if (o.action === 'unchanged' && !options.all) continue;
    const name = o.namespace ? `${o.namespace}/${o.name}` : o.name;
    lines.push(`${marks[o.action]} ${o.kind} ${name}${o.action === 'removed' ? ' (prune)' : ''}`);
    for (const c of o.changes) lines.push(`    ${formatChange(c)}`);
  }
  return lines.join('\n');
}

export function formatChange(c: FieldChange): string {
  if (c.redacted) return `${c.path}: (secret value ${c.op === 'add' ? 'added' : 'changed'})`;
  if (c.op === 'add') return `${c.path}: (not set) → ${show(c.desired)}`;
  return `${c.path}: ${show(c.live)} → ${show(c.desired)}`;
}

function show(v: unknown): string {
  const text = JSON.stringify(v) ?? 'undefined';
  return text.length > maxValueChars ? `${text.slice(0, maxValueChars - 1)}…` : text;
}
