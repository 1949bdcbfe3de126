/**
 * Something in a NetworkPolicy (or a pod) the compiler could not enforce as
 * written. The offending part then allows nothing — never more than asked.
 */
export interface PolicyProblem {
  kind: 'NetworkPolicy' | 'Pod';
  namespace: string;
  name: string;
  /** Path of the field, e.g. `spec.ingress[0].from[1].ipBlock.cidr`. */
  field: string;
  message: string;
}
