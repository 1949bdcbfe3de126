/**
 * Protobuf field numbers of the Kubernetes messages kubectl's typed clients
 * send as `application/vnd.kubernetes.protobuf` (k8s.io/api generated.proto).
 * Covered: what `kubectl create namespace|configmap|secret|deployment|service|job|cronjob|pdb`
 * writes, and the Eviction `kubectl drain` posts. `skip` marks status, which a create ignores anyway.
 */
export type FieldType = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'message' | 'stringMap' | 'bytesMap' | 'quantityMap' | 'intOrString' | 'skip';

export interface FieldSpec {
  name: string;
  type: FieldType;
  repeated?: boolean;
  message?: MessageSchema;
}

export type MessageSchema = Record<number, FieldSpec>;

const ownerReference: MessageSchema = {
  1: { name: 'kind', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
  6: { name: 'controller', type: 'bool' },
  7: { name: 'blockOwnerDeletion', type: 'bool' },
};

const objectMeta: MessageSchema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  4: { name: 'selfLink', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'generation', type: 'int' },
  8: { name: 'creationTimestamp', type: 'time' },
  9: { name: 'deletionTimestamp', type: 'time' },
  10: { name: 'deletionGracePeriodSeconds', type: 'int' },
  11: { name: 'labels', type: 'stringMap' },
  12: { name: 'annotations', type: 'stringMap' },
  13: { name: 'ownerReferences', type: 'message', repeated: true, message: ownerReference },
  14: { name: 'finalizers', type: 'string', repeated: true },
};

const namespaceCondition: MessageSchema = {
  1: { name: 'type', type: 'string' },
  2: { name: 'status', type: 'string' },
  4: { name: 'lastTransitionTime', type: 'time' },
  5: { name: 'reason', type: 'string' },
  6: { name: 'message', type: 'string' },
};

const labelSelector: MessageSchema = {
  1: { name: 'matchLabels', type: 'stringMap' },
  2: {
    name: 'matchExpressions',
    type: 'message',
    repeated: true,
    message: { 1: { name: 'key', type: 'string' }, 2: { name: 'operator', type: 'string' }, 3: { name: 'values', type: 'string', repeated: true } },
  },
};

const containerPort: MessageSchema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'hostPort', type: 'int' },
  3: { name: 'containerPort', type: 'int' },
  4: { name: 'protocol', type: 'string' },
  5: { name: 'hostIP', type: 'string' },
};

const envVar: MessageSchema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'value', type: 'string' },
};

const container: MessageSchema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'image', type: 'string' },
  3: { name: 'command', type: 'string', repeated: true },
  4: { name: 'args', type: 'string', repeated: true },
  5: { name: 'workingDir', type: 'string' },
  6: { name: 'ports', type: 'message', repeated: true, message: containerPort },
  7: { name: 'env', type: 'message', repeated: true, message: envVar },
  8: { name: 'resources', type: 'message', message: { 1: { name: 'limits', type: 'quantityMap' }, 2: { name: 'requests', type: 'quantityMap' } } },
  13: { name: 'terminationMessagePath', type: 'string' },
  14: { name: 'imagePullPolicy', type: 'string' },
  16: { name: 'stdin', type: 'bool' },
  17: { name: 'stdinOnce', type: 'bool' },
  18: { name: 'tty', type: 'bool' },
  20: { name: 'terminationMessagePolicy', type: 'string' },
};

const podSpec: MessageSchema = {
  2: { name: 'containers', type: 'message', repeated: true, message: container },
  3: { name: 'restartPolicy', type: 'string' },
  4: { name: 'terminationGracePeriodSeconds', type: 'int' },
  5: { name: 'activeDeadlineSeconds', type: 'int' },
  6: { name: 'dnsPolicy', type: 'string' },
  7: { name: 'nodeSelector', type: 'stringMap' },
  8: { name: 'serviceAccountName', type: 'string' },
  10: { name: 'nodeName', type: 'string' },
  11: { name: 'hostNetwork', type: 'bool' },
  16: { name: 'hostname', type: 'string' },
  17: { name: 'subdomain', type: 'string' },
  19: { name: 'schedulerName', type: 'string' },
  20: { name: 'initContainers', type: 'message', repeated: true, message: container },
  24: { name: 'priorityClassName', type: 'string' },
};

const servicePort: MessageSchema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'protocol', type: 'string' },
  3: { name: 'port', type: 'int' },
  4: { name: 'targetPort', type: 'intOrString' },
  5: { name: 'nodePort', type: 'int' },
  6: { name: 'appProtocol', type: 'string' },
};

const podTemplateSpec: MessageSchema = { 1: { name: 'metadata', type: 'message', message: objectMeta }, 2: { name: 'spec', type: 'message', message: podSpec } };

/** batch/v1 JobSpec, as `kubectl create job` (and `--from=cronjob/…`) sends it. */
const jobSpec: MessageSchema = {
  1: { name: 'parallelism', type: 'int' },
  2: { name: 'completions', type: 'int' },
  3: { name: 'activeDeadlineSeconds', type: 'int' },
  4: { name: 'selector', type: 'message', message: labelSelector },
  5: { name: 'manualSelector', type: 'bool' },
  6: { name: 'template', type: 'message', message: podTemplateSpec },
  7: { name: 'backoffLimit', type: 'int' },
  8: { name: 'ttlSecondsAfterFinished', type: 'int' },
  9: { name: 'completionMode', type: 'string' },
  10: { name: 'suspend', type: 'bool' },
  14: { name: 'podReplacementPolicy', type: 'string' },
};

const policyRule: MessageSchema = {
  1: { name: 'verbs', type: 'string', repeated: true },
  2: { name: 'apiGroups', type: 'string', repeated: true },
  3: { name: 'resources', type: 'string', repeated: true },
  4: { name: 'resourceNames', type: 'string', repeated: true },
  5: { name: 'nonResourceURLs', type: 'string', repeated: true },
};

const roleBinding: MessageSchema = {
  1: { name: 'metadata', type: 'message', message: objectMeta },
  2: {
    name: 'subjects',
    type: 'message',
    repeated: true,
    message: { 1: { name: 'kind', type: 'string' }, 2: { name: 'apiGroup', type: 'string' }, 3: { name: 'name', type: 'string' }, 4: { name: 'namespace', type: 'string' } },
  },
  3: { name: 'roleRef', type: 'message', message: { 1: { name: 'apiGroup', type: 'string' }, 2: { name: 'kind', type: 'string' }, 3: { name: 'name', type: 'string' } } },
};

export const kubeProtoSchemas: Record<string, MessageSchema> = {
  // What `kubectl autoscale` posts (k8s.io/api/autoscaling/v1); keyed with its version, as v2's fields differ.
  'autoscaling/v1/HorizontalPodAutoscaler': {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: {
      name: 'spec',
      type: 'message',
      message: {
        1: { name: 'scaleTargetRef', type: 'message', message: { 1: { name: 'kind', type: 'string' }, 2: { name: 'name', type: 'string' }, 3: { name: 'apiVersion', type: 'string' } } },
        2: { name: 'minReplicas', type: 'int' },
        3: { name: 'maxReplicas', type: 'int' },
        4: { name: 'targetCPUUtilizationPercentage', type: 'int' },
      },
    },
    3: { name: 'status', type: 'skip' },
  },
  PodDisruptionBudget: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: {
      name: 'spec',
      type: 'message',
      message: {
        1: { name: 'minAvailable', type: 'intOrString' },
        2: { name: 'selector', type: 'message', message: labelSelector },
        3: { name: 'maxUnavailable', type: 'intOrString' },
        4: { name: 'unhealthyPodEvictionPolicy', type: 'string' },
      },
    },
    3: { name: 'status', type: 'skip' },
  },
  // What `kubectl drain` posts to pods/{name}/eviction.
  Eviction: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: {
      name: 'deleteOptions',
      type: 'message',
      message: {
        1: { name: 'gracePeriodSeconds', type: 'int' },
        2: { name: 'preconditions', type: 'message', message: { 1: { name: 'uid', type: 'string' }, 2: { name: 'resourceVersion', type: 'string' } } },
        3: { name: 'orphanDependents', type: 'bool' },
        4: { name: 'propagationPolicy', type: 'string' },
        5: { name: 'dryRun', type: 'string', repeated: true },
      },
    },
  },
  Job: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'spec', type: 'message', message: jobSpec },
    3: { name: 'status', type: 'skip' },
  },
  CronJob: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: {
      name: 'spec',
      type: 'message',
      message: {
        1: { name: 'schedule', type: 'string' },
        2: { name: 'startingDeadlineSeconds', type: 'int' },
        3: { name: 'concurrencyPolicy', type: 'string' },
        4: { name: 'suspend', type: 'bool' },
        5: { name: 'jobTemplate', type: 'message', message: { 1: { name: 'metadata', type: 'message', message: objectMeta }, 2: { name: 'spec', type: 'message', message: jobSpec } } },
        6: { name: 'successfulJobsHistoryLimit', type: 'int' },
        7: { name: 'failedJobsHistoryLimit', type: 'int' },
        8: { name: 'timeZone', type: 'string' },
      },
    },
    3: { name: 'status', type: 'skip' },
  },
  Namespace: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'spec', type: 'message', message: { 1: { name: 'finalizers', type: 'string', repeated: true } } },
    3: {
      name: 'status',
      type: 'message',
      message: { 1: { name: 'phase', type: 'string' }, 2: { name: 'conditions', type: 'message', repeated: true, message: namespaceCondition } },
    },
  },
  ConfigMap: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'data', type: 'stringMap' },
    3: { name: 'binaryData', type: 'bytesMap' },
    4: { name: 'immutable', type: 'bool' },
  },
  Secret: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'data', type: 'bytesMap' },
    3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: 'stringMap' },
    5: { name: 'immutable', type: 'bool' },
  },
  Deployment: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: {
      name: 'spec',
      type: 'message',
      message: {
        1: { name: 'replicas', type: 'int' },
        2: { name: 'selector', type: 'message', message: labelSelector },
        3: { name: 'template', type: 'message', message: { 1: { name: 'metadata', type: 'message', message: objectMeta }, 2: { name: 'spec', type: 'message', message: podSpec } } },
        4: {
          name: 'strategy',
          type: 'message',
          message: {
            1: { name: 'type', type: 'string' },
            2: { name: 'rollingUpdate', type: 'message', message: { 1: { name: 'maxUnavailable', type: 'intOrString' }, 2: { name: 'maxSurge', type: 'intOrString' } } },
          },
        },
        5: { name: 'minReadySeconds', type: 'int' },
        6: { name: 'revisionHistoryLimit', type: 'int' },
        7: { name: 'paused', type: 'bool' },
        9: { name: 'progressDeadlineSeconds', type: 'int' },
      },
    },
    3: { name: 'status', type: 'skip' },
  },
  Service: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: {
      name: 'spec',
      type: 'message',
      message: {
        1: { name: 'ports', type: 'message', repeated: true, message: servicePort },
        2: { name: 'selector', type: 'stringMap' },
        3: { name: 'clusterIP', type: 'string' },
        4: { name: 'type', type: 'string' },
        5: { name: 'externalIPs', type: 'string', repeated: true },
        7: { name: 'sessionAffinity', type: 'string' },
        10: { name: 'externalName', type: 'string' },
        11: { name: 'externalTrafficPolicy', type: 'string' },
        13: { name: 'publishNotReadyAddresses', type: 'bool' },
        17: { name: 'ipFamilyPolicy', type: 'string' },
        18: { name: 'clusterIPs', type: 'string', repeated: true },
        19: { name: 'ipFamilies', type: 'string', repeated: true },
        22: { name: 'internalTrafficPolicy', type: 'string' },
      },
    },
    3: { name: 'status', type: 'skip' },
  },
  // kubectl create role|clusterrole|rolebinding|clusterrolebinding, create token, auth can-i|whoami (runtime/api/auth).
  Role: { 1: { name: 'metadata', type: 'message', message: objectMeta }, 2: { name: 'rules', type: 'message', repeated: true, message: policyRule } },
  ClusterRole: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'rules', type: 'message', repeated: true, message: policyRule },
    3: { name: 'aggregationRule', type: 'message', message: { 1: { name: 'clusterRoleSelectors', type: 'message', repeated: true, message: labelSelector } } },
  },
  RoleBinding: roleBinding,
  ClusterRoleBinding: roleBinding,
  // kubectl create serviceaccount|quota|priorityclass.
  ServiceAccount: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'secrets', type: 'message', repeated: true, message: { 1: { name: 'kind', type: 'string' }, 2: { name: 'namespace', type: 'string' }, 3: { name: 'name', type: 'string' }, 4: { name: 'uid', type: 'string' }, 5: { name: 'apiVersion', type: 'string' } } },
    3: { name: 'imagePullSecrets', type: 'message', repeated: true, message: { 1: { name: 'name', type: 'string' } } },
    4: { name: 'automountServiceAccountToken', type: 'bool' },
  },
  ResourceQuota: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: {
      name: 'spec',
      type: 'message',
      message: {
        1: { name: 'hard', type: 'quantityMap' },
        2: { name: 'scopes', type: 'string', repeated: true },
        3: {
          name: 'scopeSelector',
          type: 'message',
          message: { 1: { name: 'matchExpressions', type: 'message', repeated: true, message: { 1: { name: 'scopeName', type: 'string' }, 2: { name: 'operator', type: 'string' }, 3: { name: 'values', type: 'string', repeated: true } } } },
        },
      },
    },
    3: { name: 'status', type: 'skip' },
  },
  PriorityClass: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'value', type: 'int' },
    3: { name: 'globalDefault', type: 'bool' },
    4: { name: 'description', type: 'string' },
    5: { name: 'preemptionPolicy', type: 'string' },
  },
  TokenRequest: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: {
      name: 'spec',
      type: 'message',
      message: {
        1: { name: 'audiences', type: 'string', repeated: true },
        3: { name: 'boundObjectRef', type: 'message', message: { 1: { name: 'kind', type: 'string' }, 2: { name: 'apiVersion', type: 'string' }, 3: { name: 'name', type: 'string' }, 4: { name: 'uid', type: 'string' } } },
        4: { name: 'expirationSeconds', type: 'int' },
      },
    },
    3: { name: 'status', type: 'skip' },
  },
  SelfSubjectAccessReview: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: {
      name: 'spec',
      type: 'message',
      message: {
        1: {
          name: 'resourceAttributes',
          type: 'message',
          message: {
            1: { name: 'namespace', type: 'string' },
            2: { name: 'verb', type: 'string' },
            3: { name: 'group', type: 'string' },
            4: { name: 'version', type: 'string' },
            5: { name: 'resource', type: 'string' },
            6: { name: 'subresource', type: 'string' },
            7: { name: 'name', type: 'string' },
          },
        },
        2: { name: 'nonResourceAttributes', type: 'message', message: { 1: { name: 'path', type: 'string' }, 2: { name: 'verb', type: 'string' } } },
      },
    },
    3: { name: 'status', type: 'skip' },
  },
  SelfSubjectRulesReview: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'spec', type: 'message', message: { 1: { name: 'namespace', type: 'string' } } },
    3: { name: 'status', type: 'skip' },
  },
  SelfSubjectReview: { 1: { name: 'metadata', type: 'message', message: objectMeta }, 2: { name: 'status', type: 'skip' } },
};
