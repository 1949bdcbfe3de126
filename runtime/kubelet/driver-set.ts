import { DriverError, type ContainerHandle, type PodDriver } from './pod-driver.js';

/**
 * The kubelet's one driver: each call goes to the driver that started the
 * container (`handle.driver`) or that the pod's RuntimeClass names
 * (`launch.runtimeClass`), so the kubelet never branches on drivers.
 */
export function createDriverSet(drivers: PodDriver[]): PodDriver & { has(name: string): boolean; imageClasses: Set<string> } {
  const byName = new Map(drivers.map((d) => [d.name, d]));
  const of = (handle: ContainerHandle): PodDriver => byName.get(handle.driver ?? 'process') ?? drivers[0];
  return {
    name: drivers.map((d) => d.name).join(','),
    has: (name) => byName.has(name),
    imageClasses: new Set(drivers.filter((d) => d.runsImages).map((d) => d.name)),
    start(launch) {
      const driver = byName.get(launch.runtimeClass ?? 'process');
      if (!driver) throw new DriverError('CreateContainerConfigError', `no runtime handler "${launch.runtimeClass}" on this node (it has ${[...byName.keys()].join(', ')})`);
      return driver.start(launch);
    },
    isAlive: (h) => of(h).isAlive(h),
    signal: (h, s) => of(h).signal(h, s),
    exitCode: (h) => of(h).exitCode(h),
    terminationReason: (h) => of(h).terminationReason?.(h),
    exec: (h, l, argv, t) => of(h).exec(h, l, argv, t),
    async execStream(h, l, argv, o) {
      const driver = of(h);
      if (!driver.execStream) throw new DriverError('ExecUnsupported', `the ${driver.name} driver cannot stream an exec`);
      return driver.execStream(h, l, argv, o);
    },
    memoryUsage: (h, sample) => of(h).memoryUsage(h, sample),
    limitsMemory: (h) => of(h).limitsMemory?.(h) ?? false,
    remove: async (h) => of(h).remove?.(h),
    reportsExit: (h) => of(h).reportsExit?.(h) ?? false,
    onExit(listener) {
      for (const d of drivers) d.onExit?.(listener);
    },
    async settle() {
      await Promise.all(drivers.map((d) => d.settle?.()));
    },
    async sweepUnknown(podsDir, known) {
      let swept = 0;
      for (const d of drivers) swept += (await d.sweepUnknown?.(podsDir, known)) ?? 0;
      return swept;
    },
  };
}
