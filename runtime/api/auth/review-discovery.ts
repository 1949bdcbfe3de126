/**
 * The create-only groups served beside the registry (runtime/api/auth's
 * review handlers), as discovery lists them in Kubernetes: nothing is stored,
 * so they are no registry kinds.
 */
export const reviewApiGroups: ReadonlyArray<{ group: string; version: string; resources: Record<string, unknown>[] }> = [
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    resources: [{ name: 'selfsubjectreviews', singularName: 'selfsubjectreview', namespaced: false, kind: 'SelfSubjectReview', verbs: ['create'] }],
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resources: [
      { name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] },
      { name: 'selfsubjectrulesreviews', singularName: 'selfsubjectrulesreview', namespaced: false, kind: 'SelfSubjectRulesReview', verbs: ['create'] },
    ],
  },
];
