import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess;

beforeAll(async () => {
  rt = await startRuntimeProcess();
  await kubectlOk(rt.kubeconfig, ['create', 'namespace', 'flags']);
  await kubectlOk(
    rt.kubeconfig,
    ['apply', '-f', '-'],
    'apiVersion: v1\nkind: Pod\nmetadata: {name: box, namespace: flags}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - {name: c, image: busybox, command: [sleep, "600"]}\n',
  );
  await kubectlOk(rt.kubeconfig, ['wait', '-n', 'flags', '--for=condition=Ready', 'pod/box', '--timeout=30s']);
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

/** A raw exec over WebSocket (v5.channel.k8s.io): what came on stdout and stderr, and the Status on the error channel. */
function exec(query: string): Promise<{ stdout: string; stderr: string; status: { status?: string; message?: string } }> {
  const url = `${rt.url.replace(/^https/, 'wss')}/api/v1/namespaces/flags/pods/box/exec?${query}`;
  const ws = new WebSocket(url, ['v5.channel.k8s.io'], { headers: { Authorization: `Bearer ${rt.token}` }, ca: rt.ca });
  let stdout = '';
  let stderr = '';
  return new Promise((done, fail) => {
    ws.on('message', (data: Buffer) => {
      if (data[0] === 1) stdout += data.subarray(1).toString();
      if (data[0] === 2) stderr += data.subarray(1).toString();
      if (data[0] === 3) done({ stdout, stderr, status: JSON.parse(data.subarray(1).toString()) });
    });
    ws.on('error', fail);
    ws.on('unexpected-response', (_req, res) => fail(new Error(`upgrade refused with ${res.statusCode}`)));
  });
}

const command = 'command=sh&command=-c&command=echo%20out%3B%20echo%20err%201%3E%262';

describe('exec stream flags, decoded as kube-apiserver decodes PodExecOptions', () => {
  it('takes True, TRUE, t, yes and an empty value as true, as Convert_Slice_string_To_bool does', async () => {
    for (const value of ['True', 'TRUE', 't', 'yes', '']) {
      const r = await exec(`stdout=${value}&${command}`);
      expect(r.status.status, `stdout=${value}: ${r.status.message}`).toBe('Success');
      expect(r.stdout, `stdout=${value}`).toBe('out\n');
      expect(r.stderr, `stdout=${value}`).toBe('');
    }
  });

  it('takes only absent, 0 and false in any case as false, and reads a repeated flag by its first value', async () => {
    const r = await exec(`stdout=1&stderr=FALSE&${command}`);
    expect(r.status.status, r.status.message).toBe('Success');
    expect([r.stdout, r.stderr]).toEqual(['out\n', '']);
    const both = await exec(`stdout=0&stdout=1&stderr=True&stderr=0&${command}`);
    expect(both.status.status, both.status.message).toBe('Success');
    expect([both.stdout, both.stderr]).toEqual(['', 'err\n']);
  });
});
