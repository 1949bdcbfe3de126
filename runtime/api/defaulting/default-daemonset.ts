type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** SetDefaults_DaemonSet (apps/v1): RollingUpdate with maxUnavailable 1 and maxSurge 0, revisionHistoryLimit 10. */
export function defaultDaemonSet(spec: Obj): void {
  if (!isObj(spec.updateStrategy)) spec.updateStrategy = {};
  const strategy = spec.updateStrategy;
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    if (!isObj(strategy.rollingUpdate)) strategy.rollingUpdate = {};
    strategy.rollingUpdate.maxUnavailable ??= 1;
    strategy.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
}

/** SetDefaults_ReplicationController: selector and labels from the template's labels when unset, one replica. */
export function defaultReplicationController(rc: Obj): void {
  const spec = rc.spec as Obj;
  const templateLabels = spec.template?.metadata?.labels;
  if (isObj(templateLabels) && Object.keys(templateLabels).length > 0) {
    if (!isObj(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...templateLabels };
    if (!isObj(rc.metadata?.labels) || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...templateLabels };
  }
  spec.replicas ??= 1;
}
