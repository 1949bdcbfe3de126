import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess;
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, args);

beforeAll(async () => {
  rt = await startRuntimeProcess();
  await k('create', 'namespace', 'prio');
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

const pod = (name: string, extra: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: prio}\nspec:\n${extra}  containers: [{name: c, image: registry.example/app:1}]\n`;

describe('PriorityClass', () => {
  it('has the system classes, and turns a pod\'s priorityClassName into its priority', async () => {
    expect(await k('get', 'priorityclass')).toMatch(/system-cluster-critical\s+2000000000\s+false/);
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], 'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: batch-low}\nvalue: 100\npreemptionPolicy: Never\n');
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], pod('low', '  priorityClassName: batch-low\n'));
    expect(await k('get', 'pod', 'low', '-n', 'prio', '-o', 'jsonpath={.spec.priority}/{.spec.preemptionPolicy}')).toBe('100/Never');
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], pod('plain', ''));
    expect(await k('get', 'pod', 'plain', '-n', 'prio', '-o', 'jsonpath={.spec.priority}')).toBe('0');
  });

  it('refuses a pod naming a class that does not exist, or a priority given by hand, in Kubernetes\' words', async () => {
    const missing = await kubectl(rt.kubeconfig, ['apply', '-f', '-'], pod('lost', '  priorityClassName: nope\n'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no PriorityClass with name nope was found');
    const byHand = await kubectl(rt.kubeconfig, ['apply', '-f', '-'], pod('hand', '  priority: 5\n'));
    expect(byHand.stderr).toContain('the integer value of priority (5) must not be provided in pod spec');
  });

  it('gives pods without a class the global default one', async () => {
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], 'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: everyday}\nvalue: 50\nglobalDefault: true\n');
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], pod('defaulted', ''));
    expect(await k('get', 'pod', 'defaulted', '-n', 'prio', '-o', 'jsonpath={.spec.priorityClassName}/{.spec.priority}')).toBe('everyday/50');
  });
});
