/**
 * Protobuf field numbers of the Kubernetes messages kubectl's typed clients
 * send as `application/vnd.kubernetes.protobuf` (k8s.io/api generated.proto).
 * Only what `kubectl create namespace|configmap|secret` writes is covered.
 */
export type FieldType = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'message' | 'stringMap' | 'bytesMap';

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

export const kubeProtoSchemas: Record<string, MessageSchema> = {
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
};
