import { afterAll, describe, expect, it } from 'vitest';
import { apiRequest, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess | undefined;

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

describe('baton runtime crash safety', () => {
  it('keeps every acknowledged write across a SIGKILL in the middle of a burst, with no torn objects', async () => {
    rt = await startRuntimeProcess();
    const path = '/api/v1/namespaces/default/configmaps';
    const acknowledged = new Map<string, string>();
    // An update sent but not answered may or may not have been stored before the kill: both are right.
    const unanswered = new Map<string, string>();
    let killed = false;
    let next = 0;

    // 8 writers create and then update config maps until the runtime dies under them.
    const writer = async () => {
      while (!killed && next < 5000) {
        const i = next++;
        const name = `burst-${i}`;
        const payload = `value-${i}-`.repeat(20);
        try {
          const res = await apiRequest(rt!, 'POST', path, {
            body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { payload } }),
            contentType: 'application/json',
          });
          if (res.status === 201) acknowledged.set(name, payload);
          if (i % 3 === 0 && res.status === 201) {
            const updated = `${payload}updated`;
            unanswered.set(name, updated);
            const patched = await apiRequest(rt!, 'PATCH', `${path}/${name}`, {
              body: JSON.stringify({ data: { payload: updated } }),
              contentType: 'application/merge-patch+json',
            });
            if (patched.status === 200) {
              acknowledged.set(name, updated);
              unanswered.delete(name);
            }
          }
        } catch {
          // The connection died with the process: this write was never acknowledged.
        }
      }
    };
    const writers = Array.from({ length: 8 }, writer);
    // Kill mid-burst: once a good number of writes were acknowledged (bounded in time on a slow machine).
    const deadline = Date.now() + 20_000;
    while (acknowledged.size < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await rt.kill();
    killed = true;
    await Promise.all(writers);
    expect(acknowledged.size).toBeGreaterThan(20);

    rt = await startRuntimeProcess(rt.stateDir);
    const list = (await apiRequest(rt, 'GET', path)).json();
    const stored = new Map<string, any>(list.items.map((i: any) => [i.metadata.name, i]));
    for (const [name, payload] of acknowledged) {
      expect([payload, unanswered.get(name) ?? payload], name).toContain(stored.get(name)?.data?.payload);
    }
    // Whatever was written but not acknowledged is whole: valid metadata and data, never half an object.
    for (const item of stored.values()) {
      if (!String(item.metadata.name).startsWith('burst-')) continue;
      expect(item.metadata.uid).toBeTruthy();
      expect(Number(item.metadata.resourceVersion)).toBeGreaterThan(0);
      expect(item.data.payload).toMatch(/^(value-\d+-)+(updated)?$/);
    }
    // The restarted runtime takes writes again.
    const res = await apiRequest(rt, 'POST', path, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-crash' } }), contentType: 'application/json' });
    expect(res.status).toBe(201);
  });
});
