/** CRDs being deleted: their custom resources may be read and deleted, not created (the finalizer is emptying them). */
const terminating = new Set<string>();

export function isTerminating(crd: string): boolean {
  return terminating.has(crd);
}

export function markTerminating(crd: string, value: boolean): void {
  if (value) terminating.add(crd);
  else terminating.delete(crd);
}
