import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

/**
 * The everyday kubectl commands of a team's runbook, in the order a person
 * would type them, against one runtime: each must succeed and print what a
 * real cluster prints. Failures are collected so one run names them all.
 */
let rt: RuntimeProcess;
let work: string;
const ns = `sweep-${process.pid}`;

beforeAll(async () => {
  rt = await startRuntimeProcess(undefined, ['--default-runtime-class', 'process', '--metric-resolution', '2s']);
  work = await mkdtemp(join(tmpdir(), 'baton-sweep-'));
}, 90_000);

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
  if (work) await rm(work, { recursive: true, force: true });
});

interface Step {
  args: string[];
  /** What stdout (or stderr, for kubectl's notices) must match. */
  expect?: RegExp;
  input?: string;
  /** kubectl's exit code: 0 unless said (`diff` exits 1 when it finds differences, `auth can-i` when the answer is no). */
  code?: number;
}

const configs = (extra = '') => `apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  namespace: ${ns}
  labels: {sweep: prune}
data: {k: v}
${extra}`;

function steps(): Step[] {
  const n = ['-n', ns];
  return [
    { args: ['version'], expect: /Server Version: v1\.\d+/ },
    { args: ['cluster-info'], expect: /Kubernetes control plane is running at https:/ },
    { args: ['api-versions'], expect: /^apps\/v1$/m },
    { args: ['api-resources', '--namespaced=false', '-o', 'name'], expect: /^nodes$/m },
    { args: ['get', '--raw', '/readyz'], expect: /^ok$/ },
    { args: ['get', '--raw', '/livez'], expect: /^ok$/ },
    { args: ['create', 'namespace', ns], expect: /created/ },
    { args: ['config', 'set-context', '--current', `--namespace=${ns}`], expect: /modified/ },
    { args: [...n, 'create', 'deployment', 'web', '--image=busybox', '--replicas=1', '--', 'sh', '-c', 'echo serving; exec sleep 3600'], expect: /deployment.apps\/web created/ },
    { args: [...n, 'rollout', 'status', 'deployment/web', '--timeout=60s'], expect: /successfully rolled out/ },
    { args: [...n, 'wait', '--for=condition=Available', 'deployment/web', '--timeout=30s'], expect: /condition met/ },
    { args: [...n, 'get', 'pods', '-o', 'wide'], expect: /^web-\S+\s+1\/1\s+Running/m },
    { args: [...n, 'get', 'deploy,rs,po', '--show-labels'], expect: /app=web/ },
    { args: [...n, 'get', 'pods', '--sort-by=.metadata.creationTimestamp', '-o', 'name'], expect: /^pod\/web-/m },
    { args: [...n, 'get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'], expect: /^busybox$/ },
    { args: [...n, 'describe', 'deployment', 'web'], expect: /Replicas:\s+1 desired \| 1 updated \| 1 total \| 1 available/ },
    { args: ['describe', 'node'], expect: /Allocatable:/ },
    { args: [...n, 'logs', 'deployment/web'], expect: /serving/ },
    { args: [...n, 'logs', '-l', 'app=web', '--timestamps'], expect: /^\d{4}-\d\d-\d\dT\S+Z serving$/m },
    { args: [...n, 'logs', 'deployment/web', '--since=1h', '--tail=1'], expect: /serving/ },
    { args: [...n, 'scale', 'deployment/web', '--replicas=2'], expect: /scaled/ },
    { args: [...n, 'rollout', 'status', 'deployment/web', '--timeout=60s'], expect: /successfully rolled out/ },
    { args: [...n, 'set', 'env', 'deployment/web', 'MODE=blue'], expect: /env updated/ },
    { args: [...n, 'rollout', 'status', 'deployment/web', '--timeout=60s'], expect: /successfully rolled out/ },
    { args: [...n, 'rollout', 'history', 'deployment/web'], expect: /REVISION\s+CHANGE-CAUSE[\s\S]*\n2\s/ },
    { args: [...n, 'rollout', 'undo', 'deployment/web'], expect: /rolled back/ },
    { args: [...n, 'rollout', 'status', 'deployment/web', '--timeout=60s'], expect: /successfully rolled out/ },
    { args: [...n, 'rollout', 'restart', 'deployment/web'], expect: /restarted/ },
    { args: [...n, 'rollout', 'pause', 'deployment/web'], expect: /paused/ },
    { args: [...n, 'rollout', 'resume', 'deployment/web'], expect: /resumed/ },
    { args: [...n, 'set', 'resources', 'deployment/web', '--requests=cpu=10m'], expect: /resource requirements updated/ },
    { args: [...n, 'expose', 'deployment', 'web', '--port=80', '--target-port=8080'], expect: /service\/web exposed/ },
    { args: [...n, 'get', 'svc,endpoints', 'web'], expect: /service\/web\s+ClusterIP/ },
    { args: [...n, 'label', 'deployment', 'web', 'tier=front'], expect: /labeled/ },
    { args: [...n, 'annotate', 'deployment', 'web', 'owner=team-a'], expect: /annotated/ },
    { args: [...n, 'patch', 'deployment', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":5}]'], expect: /patched/ },
    { args: [...n, 'create', 'configmap', 'settings', '--from-literal=a=1'], expect: /created/ },
    { args: [...n, 'create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret'], expect: /created/ },
    { args: [...n, 'create', 'serviceaccount', 'bot'], expect: /created/ },
    { args: [...n, 'create', 'role', 'reader', '--verb=get,list', '--resource=configmaps'], expect: /created/ },
    { args: [...n, 'create', 'rolebinding', 'bot-reads', '--role=reader', `--serviceaccount=${ns}:bot`], expect: /created/ },
    { args: [...n, 'create', 'token', 'bot', '--duration=10m'], expect: /^eyJ/ },
    { args: ['auth', 'can-i', 'list', 'configmaps', '-n', ns, `--as=system:serviceaccount:${ns}:bot`], expect: /^yes$/m },
    { args: ['auth', 'can-i', 'delete', 'secrets', '-n', ns, `--as=system:serviceaccount:${ns}:bot`], expect: /^no$/m, code: 1 },
    { args: [...n, 'get', 'pods', `--as=system:serviceaccount:${ns}:bot`], expect: new RegExp(`pods is forbidden: User "system:serviceaccount:${ns}:bot" cannot list resource "pods"`), code: 1 },
    { args: [...n, 'get', 'configmaps', 'settings', `--as=system:serviceaccount:${ns}:bot`, '-o', 'name'], expect: /^configmap\/settings$/m },
    { args: ['auth', 'whoami'], expect: /baton-admin/ },
    { args: [...n, 'create', 'job', 'once', '--image=busybox', '--', 'echo', 'job done'], expect: /created/ },
    { args: [...n, 'wait', '--for=condition=complete', 'job/once', '--timeout=60s'], expect: /condition met/ },
    { args: [...n, 'logs', 'job/once'], expect: /job done/ },
    { args: [...n, 'create', 'cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *', '--', 'echo', 'nightly'], expect: /created/ },
    { args: [...n, 'create', 'job', 'nightly-now', '--from=cronjob/nightly'], expect: /created/ },
    { args: [...n, 'wait', '--for=condition=complete', 'job/nightly-now', '--timeout=60s'], expect: /condition met/ },
    { args: [...n, 'run', 'one-off', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'echo from run'], expect: /created/ },
    { args: [...n, 'wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/one-off', '--timeout=60s'], expect: /condition met/ },
    { args: [...n, 'logs', 'one-off'], expect: /from run/ },
    { args: [...n, 'exec', 'deployment/web', '--', 'sh', '-c', 'echo inside'], expect: /^inside$/m },
    { args: [...n, 'exec', '-i', 'deployment/web', '--', 'cat'], input: 'round trip\n', expect: /^round trip$/m },
    { args: ['explain', 'deployment.spec.strategy'], expect: /FIELD:\s+strategy/ },
    { args: ['explain', 'horizontalpodautoscaler.spec.behavior'], expect: /scaleDown/ },
    { args: [...n, 'autoscale', 'deployment', 'web', '--min=1', '--max=3', '--cpu-percent=80'], expect: /autoscaled/ },
    { args: [...n, 'get', 'hpa'], expect: /^web\s+Deployment\/web/m },
    { args: [...n, 'apply', '-f', '-'], input: configs(), expect: /configmap\/a created/ },
    { args: [...n, 'diff', '-f', '-'], input: configs().replace('k: v', 'k: w'), expect: /^-\s+k: v$[\s\S]*^\+\s+k: w$/m, code: 1 },
    { args: [...n, 'apply', '--prune', '-l', 'sweep=prune', '-f', '-'], input: configs().replace('name: a', 'name: b'), expect: /configmap\/a pruned/ },
    { args: [...n, 'get', 'events', '--field-selector', 'reason=ScalingReplicaSet'], expect: /ScalingReplicaSet/ },
    { args: [...n, 'events', '--for', 'deployment/web'], expect: /ScalingReplicaSet/ },
    { args: ['get', 'nodes', '-o', 'wide'], expect: /Ready/ },
    { args: ['cordon', nodeName()], expect: /cordoned/ },
    { args: ['uncordon', nodeName()], expect: /uncordoned/ },
    { args: [...n, 'delete', 'pod', 'one-off'], expect: /deleted/ },
    { args: [...n, 'delete', 'jobs', '--all'], expect: /deleted/ },
    { args: [...n, 'delete', 'deployment', '-l', 'tier=front'], expect: /deployment.apps "web" deleted/ },
  ];
}

let node = '';
const nodeName = () => node;

describe('a sweep of everyday kubectl commands', () => {
  it('every command succeeds and prints what a real cluster prints', async () => {
    node = (await kubectlOk(rt.kubeconfig, ['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    // kubectl config set-context writes the kubeconfig: work on a copy.
    const kubeconfig = join(work, 'kubeconfig');
    await writeFile(kubeconfig, await readFile(rt.kubeconfig));
    const failures: string[] = [];
    for (const step of steps()) {
      const r = await kubectl(kubeconfig, step.args, step.input);
      const out = `${r.stdout}${r.stderr}`;
      if (r.code !== (step.code ?? 0) || (step.expect && !step.expect.test(out))) failures.push(`kubectl ${step.args.join(' ')} → ${r.code}\n${out.trim().split('\n').slice(0, 6).join('\n')}`);
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('top node and attach -i work on the same runtime', async () => {
    await kubectlOk(rt.kubeconfig, ['-n', ns, 'run', 'chatty', '--image=busybox', '--stdin', '--attach=false', '--restart=Never', '--command', '--', 'sh', '-c', 'while read l; do echo "got $l"; done']);
    const top = async () => (await kubectl(rt.kubeconfig, ['top', 'node'])).stdout;
    const deadline = Date.now() + 30_000;
    let printed = await top();
    while (!/\d+m\s+\d+%/.test(printed) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      printed = await top();
    }
    expect(printed).toMatch(/\d+m\s+\d+%\s+\d+Mi\s+\d+%/);

    // attach -i: a line typed in comes back from the container.
    await kubectlOk(rt.kubeconfig, ['-n', ns, 'wait', '--for=condition=Ready', 'pod/chatty', '--timeout=60s']);
    const attached = await new Promise<string>((done) => {
      const child = spawn('kubectl', ['-n', ns, 'attach', '-i', 'chatty'], { env: { ...process.env, KUBECONFIG: rt.kubeconfig } });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('got hello')) child.kill();
      });
      child.on('exit', () => done(out));
      setTimeout(() => child.stdin.write('hello\n'), 1500);
      setTimeout(() => child.kill(), 20_000);
    });
    expect(attached).toContain('got hello');
  }, 120_000);
});
