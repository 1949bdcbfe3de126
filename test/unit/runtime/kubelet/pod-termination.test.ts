import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../../../runtime/objects/cluster.js';
import { ContainerLogs, currentLogPath } from '../../../../runtime/kubelet/container-logs.js';
import type { KubeletContext } from '../../../../runtime/kubelet/kubelet-context.js';
import type { PodDriver } from '../../../../runtime/kubelet/pod-driver.js';
import { PodIpAllocator } from '../../../../runtime/kubelet/pod-ip-allocator.js';
import { PodRecordStore, type PodRecord } from '../../../../runtime/kubelet/pod-record.js';
import { removeOrphan } from '../../../../runtime/kubelet/pod-termination.js';

describe('forgetting a pod', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  // Every rollout replaces pods; what the kubelet keeps per pod must go with the pod, or a
  // long-running `baton up` grows with each commit (the soak bench of issue 8).
  it('drops the in-memory state of its containers: record, IP, last status write and log size samples', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'baton-forget-'));
    dirs.push(stateDir);
    const store = new PodRecordStore(stateDir);
    const ctx: KubeletContext = {
      cluster: {} as Cluster,
      driver: { isAlive: () => false } as unknown as PodDriver,
      defaultRuntimeClass: 'process',
      protectedPaths: [],
      imageClasses: new Set(),
      nodeName: 'baton',
      store,
      logs: new ContainerLogs(1 << 20),
      ips: new PodIpAllocator(),
      records: new Map(),
      probes: new Map(),
      killTimers: new Map(),
      memoryLimits: new Map(),
      ownStatusWrites: new Map(),
      enqueue: () => undefined,
      stopping: () => false,
    };
    const uid = '00000000-0000-4000-8000-000000000001';
    const record: PodRecord = { uid, namespace: 'shop', name: 'web-1', podIP: ctx.ips.allocate(uid), startTime: new Date().toISOString(), containers: { app: { restartCount: 0 }, sidecar: { restartCount: 0 } } };
    ctx.records.set(uid, record);
    ctx.ownStatusWrites.set('shop/web-1', '42');
    for (const name of Object.keys(record.containers)) {
      const dir = store.containerDir(uid, name);
      mkdirSync(dir, { recursive: true });
      appendFileSync(currentLogPath(dir), 'listening\n');
      ctx.logs.maintain(dir);
    }
    expect(ctx.logs.tracked).toBe(2);

    await removeOrphan(ctx, record);

    expect(ctx.records.size).toBe(0);
    expect(ctx.ownStatusWrites.size).toBe(0);
    expect(ctx.logs.tracked).toBe(0);
  });
});
