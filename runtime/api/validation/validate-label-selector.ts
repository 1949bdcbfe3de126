import type { StatusCause } from '../../errors/status-error.js';
import { labelValueProblems, qualifiedNameProblems } from '../../kube/dns-names.js';
import { forbidden, invalidValue, required } from './field-error.js';

/**
 * A metav1.LabelSelector as Kubernetes' ValidateLabelSelector checks it:
 * label keys and values, known operators, values present for In/NotIn and
 * absent for Exists/DoesNotExist. An absent selector is valid.
 */
export function validateLabelSelector(selector: any, path: string): StatusCause[] {
  if (selector === undefined || selector === null) return [];
  if (typeof selector !== 'object' || Array.isArray(selector)) return [invalidValue(path, selector, 'must be a label selector')];
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    for (const p of qualifiedNameProblems(key)) causes.push(invalidValue(`${path}.matchLabels`, key, p));
    if (typeof value !== 'string') causes.push(invalidValue(`${path}.matchLabels`, value, 'label values must be strings'));
    else for (const p of labelValueProblems(value)) causes.push(invalidValue(`${path}.matchLabels`, value, p));
  }
  const expressions: any[] = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  expressions.forEach((e, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    const values: unknown[] = Array.isArray(e?.values) ? e.values : [];
    if (e?.operator === 'In' || e?.operator === 'NotIn') {
      if (values.length === 0) causes.push(required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (e?.operator === 'Exists' || e?.operator === 'DoesNotExist') {
      if (values.length > 0) causes.push(forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      causes.push(invalidValue(`${at}.operator`, e?.operator ?? '', 'not a valid selector operator'));
    }
    for (const p of qualifiedNameProblems(String(e?.key ?? ''))) causes.push(invalidValue(`${at}.key`, e?.key ?? '', p));
    values.forEach((v, j) => {
      for (const p of labelValueProblems(String(v))) causes.push(invalidValue(`${at}.values[${j}]`, v, p));
    });
  });
  return causes;
}
