import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

/**
 * Issue 14's acceptance: one manifest with every kind the runtime serves for
 * real repositories, applied with kubectl, and each kind's behaviour (not its
 * storage) checked: workloads run, claims keep data, budgets and quotas bite.
 */
let rt: RuntimeProcess;
let control: string;
const ns = `every-${process.pid}`;
const other = `${ns}-other`;
// Short metric and HPA periods, so the autoscaler acts within seconds.
const runtimeFlags = ['--default-runtime-class', 'process', '--metric-resolution', '2s', '--hpa-sync-period', '2s'];
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, ['-n', ns, ...args]);

beforeAll(async () => {
  rt = await startRuntimeProcess(undefined, runtimeFlags);
  // The burner stops when a file appears here; pods run as an unprivileged user.
  control = await mkdtemp(join(tmpdir(), 'baton-every-'));
  await chmod(control, 0o755);
}, 90_000);

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
  if (control) await rm(control, { recursive: true, force: true });
});


const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: certificates.example.dev
spec:
  group: example.dev
  names:
    kind: Certificate
    listKind: CertificateList
    plural: certificates
    singular: certificate
    shortNames: [cert]
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Secret, type: string, jsonPath: .spec.secretName}
    schema:
      openAPIV3Schema:
        type: object
        required: [spec]
        properties:
          spec:
            type: object
            required: [secretName, dnsNames]
            properties:
              secretName: {type: string}
              dnsNames: {type: array, minItems: 1, items: {type: string}}
              duration: {type: string, default: 2160h}
`;

const manifest = (controlDir: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
---
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
  namespace: ${ns}
spec:
  limits:
  - type: Container
    defaultRequest:
      cpu: 10m
      memory: 16Mi
    max:
      memory: 1Gi
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: quota
  namespace: ${ns}
spec:
  hard:
    pods: '20'
    count/configmaps: '5'
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: ${ns}-high
value: 1000
description: for the every-kind test
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: ${ns}-retained
provisioner: baton.dev/local-path
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: worker
  namespace: ${ns}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ${ns}
data:
  greeting: hello
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  namespace: ${ns}
spec:
  template:
    spec:
      restartPolicy: Never
      serviceAccountName: worker
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        command: [sh, -c, 'echo "migrated: $GREETING"']
        env:
        - name: GREETING
          valueFrom:
            configMapKeyRef:
              name: settings
              key: greeting
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
  namespace: ${ns}
spec:
  schedule: '* * * * *'
  successfulJobsHistoryLimit: 5
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: busybox
            command: [sh, -c, 'echo tick']
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${ns}
spec:
  clusterIP: None
  selector:
    app: web
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
  namespace: ${ns}
spec:
  serviceName: web
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      priorityClassName: ${ns}-high
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        command: [sh, -c, 'echo "started $POD_NAME" >> /tmp/data/log; exec sleep 3600']
        env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        readinessProbe:
          exec:
            command: ['true']
          initialDelaySeconds: 1
          periodSeconds: 1
        volumeMounts:
        - name: data
          mountPath: /tmp/data
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: ${ns}-retained
      resources:
        requests:
          storage: 1Gi
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: ${ns}
spec:
  maxUnavailable: 0
  selector:
    matchLabels:
      app: web
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        command: [sh, -c, 'echo agent up; exec sleep 3600']
---
apiVersion: v1
kind: ReplicationController
metadata:
  name: legacy
  namespace: ${ns}
spec:
  replicas: 2
  selector:
    app: legacy
  template:
    metadata:
      labels:
        app: legacy
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        command: [sh, -c, 'exec sleep 3600']
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: leader
  namespace: ${ns}
spec:
  holderIdentity: web-0
  leaseDurationSeconds: 15
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: ${ns}-class
spec:
  controller: example.com/ingress
---
apiVersion: v1
kind: Namespace
metadata:
  name: ${other}
---
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: ${other}
stringData:
  password: not-for-${ns}
---
apiVersion: v1
kind: Secret
metadata:
  name: api
  namespace: ${ns}
stringData:
  key: for-the-worker
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: read-secrets
  namespace: ${ns}
rules:
- apiGroups: ['']
  resources: [secrets]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: worker-reads-secrets
  namespace: ${ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: read-secrets
subjects:
- kind: ServiceAccount
  name: worker
  namespace: ${ns}
---
apiVersion: v1
kind: Pod
metadata:
  name: worker
  namespace: ${ns}
spec:
  serviceAccountName: worker
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'exec sleep 3600']
---
apiVersion: example.dev/v1
kind: Certificate
metadata:
  name: shop
  namespace: ${ns}
spec:
  secretName: shop-tls
  dnsNames: [shop.example.dev]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: burner
  namespace: ${ns}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: burner
  template:
    metadata:
      labels:
        app: burner
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: burn
        image: busybox
        command: [sh, -c, 'while [ ! -e /tmp/ctl/stop ]; do :; done; trap "exit 0" TERM; while true; do sleep 1; done']
        resources:
          requests:
            cpu: 50m
        volumeMounts:
        - name: ctl
          mountPath: /tmp/ctl
      volumes:
      - name: ctl
        hostPath:
          path: ${controlDir}
          type: Directory
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: burner
  namespace: ${ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: burner
  minReplicas: 1
  maxReplicas: 2
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 50
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 4
`;

async function podJson(name: string): Promise<any | undefined> {
  const r = await kubectl(rt.kubeconfig, ['-n', ns, 'get', 'pod', name, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

const isReady = (pod: any) => pod?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('one manifest with every kind, applied with kubectl', () => {
  it('applies whole, and every kind behaves as Kubernetes documents it', async () => {
    // A custom resource needs its CRD established first, as with any API server.
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], crd);
    await kubectlOk(rt.kubeconfig, ['wait', '--for=condition=Established', 'crd/certificates.example.dev', '--timeout=30s']);
    const applied = await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifest(control));
    expect(applied).toContain('cronjob.batch/tick created');
    expect(applied).toContain('lease.coordination.k8s.io/leader created');
    expect(applied).toContain('certificate.example.dev/shop created');
    expect(applied).toContain('horizontalpodautoscaler.autoscaling/burner created');

    // The CRD's schema: defaults filled in, and a bad custom resource refused naming the field.
    expect(await k('get', 'cert', 'shop', '-o', 'jsonpath={.spec.duration}')).toBe('2160h');
    const bad = await kubectl(rt.kubeconfig, ['apply', '-f', '-'], `apiVersion: example.dev/v1\nkind: Certificate\nmetadata:\n  name: bad\n  namespace: ${ns}\nspec:\n  secretName: 42\n  dnsNames: []\n`);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/spec\.secretName.*must be of type string/);
    expect(bad.stderr).toMatch(/spec\.dnsNames.*should have at least 1 items/);

    // The worker pod's ServiceAccount token: its own namespace's Secrets (the RoleBinding), never another's.
    await until('the worker pod', async () => isReady(await podJson('worker')));
    const token = (await k('exec', 'worker', '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/token')).trim();
    const asWorker = (...args: string[]) => kubectl(rt.kubeconfig, [`--token=${token}`, ...args]);
    expect((await asWorker('-n', ns, 'get', 'secret', 'api', '-o', 'jsonpath={.metadata.name}')).stdout).toBe('api');
    const refused = await asWorker('-n', other, 'get', 'secret', 'db');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`secrets "db" is forbidden: User "system:serviceaccount:${ns}:worker" cannot get resource "secrets" in API group "" in the namespace "${other}"`);

    // LimitRange and ResourceQuota: the default request is set at admission, and usage is counted.
    expect(await k('get', 'pod', 'worker', '-o', 'jsonpath={.spec.containers[0].resources.requests.memory}')).toBe('16Mi');
    await until('the quota counts the configmaps', async () => (await k('get', 'resourcequota', 'quota', '-o', 'jsonpath={.status.used.count/configmaps}')) !== '');

    // Job: completes with its ServiceAccount and ConfigMap.
    expect(await k('wait', '--for=condition=complete', 'job/migrate', '--timeout=60s')).toContain('condition met');
    expect(await k('logs', 'job/migrate')).toContain('migrated: hello');

    // StatefulSet: web-0, then web-1 once web-0 is ready, each on its own claim of the Retain class.
    expect(await k('rollout', 'status', 'statefulset/web', '--timeout=60s')).toContain('roll out complete');
    const [web0, web1] = [await podJson('web-0'), await podJson('web-1')];
    const web0Ready = web0.status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime;
    expect(Date.parse(web1.metadata.creationTimestamp)).toBeGreaterThanOrEqual(Date.parse(web0Ready));
    expect(web0.spec.priority).toBe(1000);
    expect(await k('get', 'pvc', 'data-web-0', '-o', 'jsonpath={.status.phase} {.spec.storageClassName}')).toBe(`Bound ${ns}-retained`);

    // PodDisruptionBudget: with maxUnavailable 0 the eviction API refuses (429), as `kubectl drain` expects.
    await until('the budget counts the two pods', async () => (await k('get', 'pdb', 'web', '-o', 'jsonpath={.status.currentHealthy}')) === '2');
    const eviction = await kubectl(rt.kubeconfig, ['-n', ns, 'create', '--raw', `/api/v1/namespaces/${ns}/pods/web-1/eviction`, '-f', '-'], JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-1', namespace: ns } }));
    expect(eviction.code).not.toBe(0);
    expect(eviction.stderr).toMatch(/disruption budget|429|TooManyRequests/i);

    // A file written to the claim survives deleting the pod and restarting the runtime.
    await k('exec', 'web-0', '--', 'sh', '-c', 'echo kept > /tmp/data/file');
    await k('delete', 'pod', 'web-0', '--wait=false');
    await until('web-0 back', async () => {
      const pod = await podJson('web-0');
      return isReady(pod) && pod.metadata.uid !== web0.metadata.uid && !pod.metadata.deletionTimestamp;
    });
    expect(await k('exec', 'web-0', '--', 'cat', '/tmp/data/file')).toBe('kept\n');
    const stateDir = rt.stateDir;
    await rt.stop();
    rt = await startRuntimeProcess(stateDir, runtimeFlags);
    await until('web-0 ready after the restart', async () => isReady(await podJson('web-0')));
    expect(await k('exec', 'web-0', '--', 'cat', '/tmp/data/file')).toBe('kept\n');

    // DaemonSet: its one pod runs on the node.
    await until('the DaemonSet pod', async () => (await k('get', 'daemonset', 'agent', '-o', 'jsonpath={.status.numberReady}')) === '1');
    expect(await k('logs', 'daemonset/agent')).toContain('agent up');

    // ReplicationController: two pods, and a deleted one is replaced.
    await until('the RC pods', async () => (await k('get', 'rc', 'legacy', '-o', 'jsonpath={.status.readyReplicas}')) === '2');

    // HorizontalPodAutoscaler: the burning Deployment goes to 2 replicas, and back to 1 once the burn stops.
    await until('the HPA to scale up', async () => (await k('get', 'deployment', 'burner', '-o', 'jsonpath={.spec.replicas}')) === '2', 90_000);
    await writeFile(join(control, 'stop'), '');
    await until('the HPA to scale down', async () => (await k('get', 'deployment', 'burner', '-o', 'jsonpath={.spec.replicas}')) === '1', 90_000);
    expect(await k('get', 'events', '--field-selector', 'involvedObject.name=burner,involvedObject.kind=HorizontalPodAutoscaler', '-o', 'jsonpath={.items[*].message}')).toContain('New size: 1; reason: All metrics below target');

    // CronJob: `kubectl create job --from` runs its template now, and the schedule fires on its own.
    await k('create', 'job', 'tick-now', '--from=cronjob/tick');
    expect(await k('wait', '--for=condition=complete', 'job/tick-now', '--timeout=60s')).toContain('condition met');
    await until('the CronJob fired', async () => (await k('get', 'cronjob', 'tick', '-o', 'jsonpath={.status.lastScheduleTime}')) !== '', 75_000);
  }, 300_000);
});
