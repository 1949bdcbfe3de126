import { describe, expect, it } from 'vitest';
import type { PodLogProvider } from '../../runtime/api/index.js';
import type { Kubelet } from '../../runtime/kubelet/index.js';

describe('kubelet logs for the API', () => {
  it('is a PodLogProvider as runtime/api takes it', () => {
    // Compile-time contract: the runtime wires `logs: kubelet.podLogs` into the API.
    const wire = (k: Kubelet): PodLogProvider => k.podLogs;
    expect(typeof wire).toBe('function');
  });
});
