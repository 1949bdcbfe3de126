import type { ResourceName } from '../../runtime/resources/registry.js';

/** One manifest per served resource, named `<prefix>-<kind>`, placed in `namespace` when namespaced. */
export function manifestFor(resource: ResourceName, name: string, namespace: string): string {
  const meta = (ns = true) => `metadata:\n  name: ${name}\n${ns ? `  namespace: ${namespace}\n` : ''}  labels:\n    app: ${name}\n`;
  const podSpec = (indent: string) =>
    [`containers:`, `- name: web`, `  image: registry.example/web:1.0`, `  ports:`, `  - containerPort: 8080`, `- name: sidecar`, `  image: registry.example/sidecar:2.0`]
      .map((l) => indent + l)
      .join('\n');
  switch (resource) {
    case 'namespaces':
      return `apiVersion: v1\nkind: Namespace\n${meta(false)}`;
    case 'nodes':
      return `apiVersion: v1\nkind: Node\n${meta(false)}spec:\n  podCIDR: 10.0.0.0/24\n`;
    case 'pods':
      return `apiVersion: v1\nkind: Pod\n${meta()}spec:\n${podSpec('  ')}\n`;
    case 'services':
      return `apiVersion: v1\nkind: Service\n${meta()}spec:\n  selector:\n    app: ${name}\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n`;
    case 'endpoints':
      return `apiVersion: v1\nkind: Endpoints\n${meta()}subsets:\n- addresses:\n  - ip: 127.1.0.5\n  ports:\n  - name: http\n    port: 8080\n`;
    case 'resourcequotas':
      return `apiVersion: v1\nkind: ResourceQuota\n${meta()}spec:\n  hard:\n    configmaps: "100"\n    count/jobs.batch: "50"\n`;
    case 'limitranges':
      return `apiVersion: v1\nkind: LimitRange\n${meta()}spec:\n  limits:\n  - type: PersistentVolumeClaim\n    max:\n      storage: 100Gi\n`;
    case 'configmaps':
      return `apiVersion: v1\nkind: ConfigMap\n${meta()}data:\n  greeting: hello\n  color: blue\n`;
    case 'secrets':
      return `apiVersion: v1\nkind: Secret\n${meta()}type: Opaque\ndata:\n  password: czNjcmV0\n`;
    case 'serviceaccounts':
      return `apiVersion: v1\nkind: ServiceAccount\n${meta()}automountServiceAccountToken: false\n`;
    case 'events':
      return `apiVersion: v1\nkind: Event\n${meta()}involvedObject:\n  kind: Pod\n  name: somepod\n  namespace: ${namespace}\nreason: Testing\nmessage: a test event\ntype: Normal\ncount: 1\nfirstTimestamp: "2026-01-01T00:00:00Z"\nlastTimestamp: "2026-01-01T00:00:00Z"\nsource:\n  component: test\n`;
    case 'deployments':
    case 'replicasets':
      return `apiVersion: apps/v1\nkind: ${resource === 'deployments' ? 'Deployment' : 'ReplicaSet'}\n${meta()}spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n${podSpec('      ')}\n`;
    case 'replicationcontrollers':
      return `apiVersion: v1\nkind: ReplicationController\n${meta()}spec:\n  replicas: 2\n  selector:\n    app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n${podSpec('      ')}\n`;
    case 'daemonsets':
      return `apiVersion: apps/v1\nkind: DaemonSet\n${meta()}spec:\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n${podSpec('      ')}\n`;
    case 'poddisruptionbudgets':
      return `apiVersion: policy/v1\nkind: PodDisruptionBudget\n${meta()}spec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: ${name}\n`;
    case 'jobs':
      // Suspended, so that the generic resource test starts no pods.
      return `apiVersion: batch/v1\nkind: Job\n${meta()}spec:\n  suspend: true\n  template:\n    spec:\n      restartPolicy: Never\n${podSpec('      ')}\n`;
    case 'cronjobs':
      return `apiVersion: batch/v1\nkind: CronJob\n${meta()}spec:\n  schedule: "*/5 * * * *"\n  suspend: true\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n${podSpec('          ')}\n`;
    case 'priorityclasses':
      return `apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\n${meta(false)}value: 1000\ndescription: batch work\n`;
    case 'leases':
      return `apiVersion: coordination.k8s.io/v1\nkind: Lease\n${meta()}spec:\n  holderIdentity: ${name}-holder\n  leaseDurationSeconds: 15\n`;
    case 'runtimeclasses':
      return `apiVersion: node.k8s.io/v1\nkind: RuntimeClass\n${meta(false)}handler: ${name}\n`;
    case 'ingressclasses':
      return `apiVersion: networking.k8s.io/v1\nkind: IngressClass\n${meta(false)}spec:\n  controller: example.com/${name}\n`;
    case 'networkpolicies':
      return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n${meta()}spec:\n  podSelector:\n    matchLabels:\n      app: ${name}\n  ingress:\n  - ports:\n    - protocol: TCP\n      port: 8080\n`;
    case 'statefulsets':
      return `apiVersion: apps/v1\nkind: StatefulSet\n${meta()}spec:\n  serviceName: ${name}\n  replicas: 0\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n${podSpec('      ')}\n`;
    case 'controllerrevisions':
      return `apiVersion: apps/v1\nkind: ControllerRevision\n${meta()}revision: 1\ndata:\n  spec:\n    template:\n      metadata:\n        labels:\n          app: ${name}\n`;
    case 'persistentvolumes':
      return `apiVersion: v1\nkind: PersistentVolume\n${meta(false)}spec:\n  capacity:\n    storage: 1Gi\n  accessModes: [ReadWriteOnce]\n  storageClassName: manual\n  hostPath:\n    path: /tmp/${name}\n`;
    case 'persistentvolumeclaims':
      // No class and no matching volume: it stays Pending, with nothing provisioned.
      return `apiVersion: v1\nkind: PersistentVolumeClaim\n${meta()}spec:\n  storageClassName: ""\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n`;
    case 'storageclasses':
      return `apiVersion: storage.k8s.io/v1\nkind: StorageClass\n${meta(false)}provisioner: example.com/${name}\nreclaimPolicy: Retain\nvolumeBindingMode: WaitForFirstConsumer\n`;
    case 'roles':
      return `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n${meta()}rules:\n- apiGroups: [""]\n  resources: [configmaps]\n  verbs: [get, list]\n`;
    case 'clusterroles':
      return `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n${meta(false)}rules:\n- apiGroups: [""]\n  resources: [nodes]\n  verbs: [get]\n- nonResourceURLs: [/metrics]\n  verbs: [get]\n`;
    case 'rolebindings':
      return `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n${meta()}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- kind: ServiceAccount\n  name: default\n`;
    case 'clusterrolebindings':
      return `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n${meta(false)}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- kind: Group\n  apiGroup: rbac.authorization.k8s.io\n  name: viewers\n`;
    case 'horizontalpodautoscalers':
      return `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n${meta()}spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n  minReplicas: 1\n  maxReplicas: 3\n  metrics:\n  - type: Resource\n    resource:\n      name: cpu\n      target:\n        type: Utilization\n        averageUtilization: 60\n`;
    case 'customresourcedefinitions':
      // A CRD is named by its plural and group.
      return `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${name}s.example.com\nspec:\n  group: example.com\n  names: {kind: Widget, plural: ${name}s}\n  scope: Namespaced\n  versions:\n  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}\n`;
    case 'ingresses':
      return `apiVersion: networking.k8s.io/v1\nkind: Ingress\n${meta()}spec:\n  rules:\n  - host: ${name}.localhost\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: web\n            port:\n              number: 80\n`;
  }
}
