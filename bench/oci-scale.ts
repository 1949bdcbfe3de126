/**
 * The oci pod driver against what it is built on, each figure beside its
 * reference measured in the same run on the same machine:
 *   1. starting a container with the driver vs `runc run` of a bundle by hand;
 *   2. 0 -> N image pods Ready vs the process driver and N `runc run -d`;
 *   3. pulling a ~50 MB image from a local registry into baton's image store
 *      vs `skopeo copy` (and `skopeo copy` + `umoci raw unpack`).
 * Traffic goes only to 127.0.0.1 and to pods on baton's own bridge.
 * Everything made is removed at the end, and the machine checked for leftovers.
 *
 *   npx tsx bench/oci-scale.ts [--starts 30] [--pods 200] [--rounds 3] [--pad-mb 50] [--only start,pods,pull]
 *
 * To stop it early, prefer `node --import tsx bench/oci-scale.ts …`: a
 * Ctrl-C then cleans up. Under `npx tsx` the tsx parent SIGKILLs a child
 * that does not acknowledge the signal within ~60 ms, which the runtime,
 * busy spawning `ip` for 200 pods, can miss; pods and netns then stay.
 *
 * Needs root, runc, skopeo, umoci, docker-registry and busybox-static.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openImageStore } from '../runtime/images/index.js';
import { createOciDriver } from '../runtime/kubelet/oci/oci-driver.js';
import type { ContainerLaunch } from '../runtime/kubelet/pod-driver.js';
import { buildImage, machineHas, missingToolsMessage, pushImage, startRegistry, type LocalRegistry } from '../test/support/oci-registry.js';
import { startOciRuntime } from '../test/support/oci-runtime.js';
import {
  deleteAll, hasOutput, mountOverlay, pollUntil, run, startDetached, timeRuncRun, unmount, writeRuncSpecBundle,
} from './support/bare-runc.js';
import { rampDeployment, type RampResult } from './support/deployment-ramp.js';
import { machineObjects } from './support/leftovers.js';
import { spawnBlockMs } from './support/spawn-cost.js';

const SECTIONS = ['start', 'pods', 'pull'] as const;
type Section = (typeof SECTIONS)[number];

function usage(message: string): never {
  console.error(`${message}\nusage: npx tsx bench/oci-scale.ts [--starts 30] [--pods 200] [--rounds 3] [--pad-mb 50] [--only ${SECTIONS.join(',')}]`);
  process.exit(2);
}

function wholeNumber(flag: string, value: string, max: number, why = ''): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) usage(`--${flag} must be a whole number from 1 to ${max}${why}, not "${value}"`);
  return n;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      starts: { type: 'string', default: '30' },
      pods: { type: 'string', default: '200' },
      'pad-mb': { type: 'string', default: '50' },
      only: { type: 'string', default: SECTIONS.join(',') },
    },
  }).values;
} catch (err) {
  usage((err as Error).message);
}
const rounds = wholeNumber('rounds', parsed.rounds!, 50);
const starts = wholeNumber('starts', parsed.starts!, 1000);
// startOciRuntime gives the runtime a /24: 253 pod addresses, some of which a slow teardown may still hold.
const pods = wholeNumber('pods', parsed.pods!, 250, ' (the bench runtime\'s pod CIDR is a /24)');
const padMb = wholeNumber('pad-mb', parsed['pad-mb']!, 2000);
const only = new Set(parsed.only!.split(',').map((s) => s.trim()));
for (const s of only) if (!SECTIONS.includes(s as Section)) usage(`--only takes ${SECTIONS.join(', ')}; "${s}" is none of them`);

if (process.getuid?.() !== 0) usage('runs containers with runc: run it as root');
const busybox = '/bin/busybox';
const missing = machineHas(['runc', 'skopeo', 'umoci', 'docker-registry', 'ip', 'mount', busybox]);
if (missing.length > 0) usage(missingToolsMessage(missing));

const ms = (v: number) => `${v.toFixed(v < 100 ? 1 : 0)} ms`;
const secs = (v: number) => `${(v / 1000).toFixed(2)} s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const median = (values: number[]) => percentile(values, 50);
let section = 0;
const rss = () => Math.round(process.memoryUsage().rss / 1e6);
/** Other work on the machine skews every figure here: each section says how busy it was. */
const load = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`;
/** Names the bench's netns and its containers' `$0`, so the leftover check can tell them. */
const MARKER = `baton-bench-${process.pid}`;
const SMALL_IMAGE = 'bench/small:v1';
function table(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  for (const row of rows) console.log(`   ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ')}`.trimEnd());
}

/** Undone in reverse order at the end, or on Ctrl-C. */
const cleanups: Array<[string, () => Promise<unknown>]> = [];
/** Removed last, after the leftover check has looked under the runc roots inside them. */
const dirs: string[] = [];
async function cleanUp(): Promise<void> {
  for (const [what, undo] of cleanups.splice(0).reverse()) {
    await undo().catch((err: Error) => console.error(`cleanup: ${what}: ${err.message}`));
  }
}
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // `on`, not `once`: tsx relays a Ctrl-C it also got itself, and a second signal must not kill us mid-cleanup.
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: cleaning up`);
    void cleanUp()
      .then(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))
      .finally(() => process.exit(130));
  });
}

async function benchPull(registry: LocalRegistry, work: string): Promise<void> {
  const image = buildImage({ cmd: ['sh'], padBytes: padMb * 1e6 });
  await pushImage(registry, 'bench/big:v1', image);
  const ref = `${registry.host}/bench/big:v1`;
  const mb = (image.layers.reduce((n, l) => n + l.blob.length, 0) + image.config.length) / 1e6;
  console.log(`${++section}. pull of a ${mb.toFixed(1)} MB image (busybox base + ${padMb} MB incompressible layer) from a local registry on 127.0.0.1, ${rounds} rounds, a fresh destination each`);
  console.log(`   (${load()})\n`);
  const rows = { baton: [] as number[], download: [] as number[], skopeo: [] as number[], umoci: [] as number[], both: [] as number[] };
  for (let round = 0; round < rounds && !interrupted; round++) {
    const dir = join(work, `pull-${round}`);
    let downloaded = 0;
    const store = openImageStore({
      dir: join(dir, 'baton'),
      disableDefaultEndpoint: true,
      onProgress: (_ref, done, total) => {
        if (done === total) downloaded ||= performance.now();
      },
    });
    let t0 = performance.now();
    const { pulled } = await store.ensure(ref, { policy: 'Always' });
    const t1 = performance.now();
    await store.close();
    if (!pulled) throw new Error('baton did not pull: the store dir was not fresh');
    rows.baton.push(t1 - t0);
    rows.download.push(downloaded - t0);

    t0 = performance.now();
    await run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `oci:${join(dir, 'skopeo')}:v1`]);
    const copied = performance.now() - t0;
    t0 = performance.now();
    await run('umoci', ['raw', 'unpack', '--image', `${join(dir, 'skopeo')}:v1`, join(dir, 'umoci-rootfs')]);
    const unpacked = performance.now() - t0;
    rows.skopeo.push(copied);
    rows.umoci.push(unpacked);
    rows.both.push(copied + unpacked);
    await rm(dir, { recursive: true, force: true });
  }
  const line = (name: string, values: number[]) => [name, secs(median(values)), values.map((v) => (v / 1000).toFixed(2)).join(' ')];
  table([
    ['', 'median', 'each round (s)'],
    line('baton ensure (download + unpack to a rootfs)', rows.baton),
    line('  of which download until the last byte', rows.download),
    line('skopeo copy (download only, no unpack)', rows.skopeo),
    line('umoci raw unpack of that copy', rows.umoci),
    line('skopeo copy + umoci raw unpack', rows.both),
  ]);
  console.log(`\n   baton / skopeo copy: ${ratio(median(rows.baton), median(rows.skopeo))} (skopeo only stores the blobs; baton also unpacks them to a rootfs)`);
  console.log(`   baton / skopeo copy + umoci unpack (the same work): ${ratio(median(rows.baton), median(rows.both))}\n`);
}

/** A network namespace of the bench's own, and the /etc files a pod's containers share. */
async function sandbox(work: string): Promise<{ netnsPath: string; etcFiles: { hosts: string; hostname: string; resolvConf: string } }> {
  const netns = MARKER;
  await run('ip', ['netns', 'add', netns]);
  cleanups.push([`ip netns delete ${netns}`, () => run('ip', ['netns', 'delete', netns])]);
  const etc = join(work, 'etc');
  mkdirSync(etc, { recursive: true });
  const etcFiles = { hosts: join(etc, 'hosts'), hostname: join(etc, 'hostname'), resolvConf: join(etc, 'resolv.conf') };
  writeFileSync(etcFiles.hosts, '127.0.0.1\tlocalhost\n');
  writeFileSync(etcFiles.hostname, 'bench\n');
  writeFileSync(etcFiles.resolvConf, '');
  return { netnsPath: `/run/netns/${netns}`, etcFiles };
}

async function benchStart(registry: LocalRegistry, work: string): Promise<void> {
  const command = ['sh', '-c', 'echo up'];
  console.log(`${++section}. container start: ${starts} starts each of \`sh -c '${command[2]}'\` in busybox, one after another, interleaved, after one untimed warm-up each;`);
  console.log('   timed from the call (driver.start() / spawning runc) to the container\'s first output byte in its log file, polled every 1 ms for both;');
  console.log(`   (${load()}; this process has ${rss()} MB resident, and a spawn() from it blocks the event loop ${ms(await spawnBlockMs())})\n`);
  const { netnsPath, etcFiles } = await sandbox(work);
  const images = openImageStore({ dir: join(work, 'start-images'), disableDefaultEndpoint: true });
  cleanups.push(['close the start image store', () => images.close()]);
  const { image } = await images.ensure(`${registry.host}/${SMALL_IMAGE}`, { policy: 'IfNotPresent' });
  const driver = createOciDriver({ stateDir: join(work, 'driver'), images });
  const runcRoot = join(work, 'bare-runc');
  cleanups.push(['runc delete (bare starts)', () => deleteAll(runcRoot)]);

  // The reference: `runc spec`'s config on an overlay of the same image rootfs, mounted once, in the same netns.
  const bare = join(work, 'bare-start');
  mkdirSync(bare, { recursive: true });
  const rootfs = await mountOverlay(image.rootfs, bare);
  cleanups.push([`umount ${rootfs}`, () => unmount(rootfs)]);
  await writeRuncSpecBundle(bare, rootfs, command, netnsPath);
  // And runc on the config.json baton wrote (copied at the warm-up), to tell runc's share from the driver's.
  const asBaton = join(work, 'baton-spec');
  mkdirSync(asBaton, { recursive: true });

  const times = { baton: [] as number[], returned: [] as number[], batonExit: [] as number[], bare: [] as number[], bareExit: [] as number[], spec: [] as number[], specExit: [] as number[] };
  for (let i = -1; i < starts && !interrupted; i++) {
    const dir = join(work, 'pods', `c${i + 1}`);
    mkdirSync(dir, { recursive: true });
    const launch: ContainerLaunch = {
      podUid: randomUUID(),
      containerName: 'c',
      argv: command,
      env: {},
      workingDir: '',
      mounts: [],
      logPath: join(dir, '0.log'),
      exitPath: join(dir, 'exit-code'),
      runtimeClass: 'oci',
      oci: { image, command, netnsPath, hostname: 'bench', etcFiles, security: {}, who: `bench container ${i + 1}` },
    };
    const t0 = performance.now();
    const handle = await driver.start(launch);
    const returned = performance.now();
    const up = await pollUntil(() => hasOutput(launch.logPath) || driver.exitCode(handle) !== undefined, 10_000, 'baton container output');
    const exited = await pollUntil(() => driver.exitCode(handle) !== undefined, 10_000, 'baton container exit');
    const output = readFileSync(launch.logPath, 'utf8').trim();
    if (output !== 'up') throw new Error(`baton container said "${output}", exit ${driver.exitCode(handle)}: ${JSON.stringify(driver.terminationReason?.(handle))}`);
    if (i === -1) {
      const spec = JSON.parse(readFileSync(join(handle.bundle!, 'config.json'), 'utf8'));
      spec.root.path = rootfs;
      spec.linux.cgroupsPath = `/baton/bench-${process.pid}`;
      writeFileSync(join(asBaton, 'config.json'), JSON.stringify(spec));
    }
    await driver.remove!(handle);
    const bareRun = await timeRuncRun(runcRoot, bare, `bench-bare-${process.pid}-${i + 1}`, join(work, 'bare.log'));
    const specRun = await timeRuncRun(runcRoot, asBaton, `bench-spec-${process.pid}-${i + 1}`, join(work, 'spec.log'));
    if (i === -1) continue;
    times.baton.push(up - t0);
    times.returned.push(returned - t0);
    times.batonExit.push(exited - t0);
    times.bare.push(bareRun.upMs);
    times.bareExit.push(bareRun.exitMs);
    times.spec.push(specRun.upMs);
    times.specExit.push(specRun.exitMs);
  }
  const line = (name: string, up: number[], exit: number[]) => [name, ms(median(up)), ms(percentile(up, 90)), ms(median(exit))];
  table([
    ['', 'p50', 'p90', 'exit p50'],
    line('baton oci driver: driver.start()', times.baton, times.batonExit),
    ['  of which driver.start() returned after', ms(median(times.returned)), ms(percentile(times.returned, 90)), ''],
    line('runc run, `runc spec` bundle (reference)', times.bare, times.bareExit),
    line('runc run, the config.json baton wrote', times.spec, times.specExit),
  ]);
  const r = median(times.baton) / median(times.bare);
  console.log(`\n   baton / bare runc, p50: ${r.toFixed(2)}x, p90: ${ratio(percentile(times.baton, 90), percentile(times.bare, 90))} (floor to aim at: <= 1.5x): ${r <= 1.5 ? 'met' : 'MISSED'}\n`);
}

// The last word is sh's $0, so the leftover check finds these by command line.
const SLEEP = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait', MARKER];

async function benchPods(registry: LocalRegistry, work: string, runcRoots: string[]): Promise<void> {
  console.log(`${++section}. 0 -> ${pods} pods Ready: a Deployment of ${pods} replicas of \`sh -c '${SLEEP[2]}'\`, no probes, created at once;`);
  console.log('   timed from the create to every pod\'s Ready condition True (the runtime in this process, its own bridge on a /24; image pulled beforehand)');
  const rt = await startOciRuntime();
  cleanups.push(['runtime close, stopping pods', () => rt.runtime.close({ stopPods: true })]);
  dirs.push(rt.dir);
  runcRoots.push(join(rt.dir, 'runc'));
  const ref = `${registry.host}/${SMALL_IMAGE}`;
  const { image } = await rt.runtime.images!.ensure(ref, { policy: 'IfNotPresent' });
  console.log(`   (${load()}; this process, which the runtime shares, has ${rss()} MB resident, and a spawn() from it blocks the event loop ${ms(await spawnBlockMs())})\n`);

  const progress = (elapsed: number, count: number, ready: number) => console.log(`     ${secs(elapsed)}: ${count} pods, ${ready} Ready`);
  const ramp = (name: string, podSpec: Record<string, unknown>) => rampDeployment(rt.runtime.cluster, rt.namespace, name, pods, podSpec, progress, () => interrupted);
  const say = (who: string, r: RampResult) => console.log(
    `   ${who} all created ${secs(r.createdMs)}, all Ready ${secs(r.readyMs)} ` +
      `(${r.quarters.map((q) => `${q.fraction * 100}% at ${secs(q.ms)}`).join(', ')}); scaled to 0 in ${secs(r.downMs)}`,
  );

  const oci = await ramp('oci', { terminationGracePeriodSeconds: 5, containers: [{ name: 'c', image: ref, command: SLEEP }] });
  say('oci driver:    ', oci);
  const proc = await ramp('proc', {
    runtimeClassName: 'process',
    terminationGracePeriodSeconds: 5,
    containers: [{ name: 'c', image: 'busybox', command: [busybox, ...SLEEP] }],
  });
  say('process driver:', proc);

  // The reference: the same image and command under runc alone, 16 at a time as the kubelet's sync workers, each in a new (empty) netns.
  const bare = join(work, 'bare-pods');
  mkdirSync(bare, { recursive: true });
  const rootfs = await mountOverlay(image.rootfs, bare);
  cleanups.push([`umount ${rootfs}`, () => unmount(rootfs)]);
  await writeRuncSpecBundle(bare, rootfs, SLEEP);
  const runcRoot = join(work, 'bare-pods-runc');
  runcRoots.push(runcRoot);
  cleanups.push(['runc delete (bare pods)', () => deleteAll(runcRoot)]);
  const ids = Array.from({ length: pods }, (_, i) => `bench-pod-${process.pid}-${i}`);
  const detached = await startDetached(runcRoot, bare, ids, 16);
  const t1 = performance.now();
  await deleteAll(runcRoot);
  const deleted = performance.now() - t1;
  console.log(`   ${pods} x runc run -d: all returned ${secs(detached.returnedMs)}, all running per runc list ${secs(detached.runningMs)}; runc delete -f of all ${secs(deleted)}`);
  const goalMs = (10_000 * pods) / 200;
  console.log(`\n   0 -> ${pods} oci pods Ready   ${secs(oci.readyMs)}   goal <= ${secs(goalMs)}${pods === 200 ? '' : ' (10 s for 200)'}: ${oci.readyMs <= goalMs ? 'met' : 'MISSED'}   ` +
    `floor: ${pods} x runc run -d ${secs(detached.runningMs)} (${ratio(oci.readyMs, detached.runningMs)} of it)   process driver ${secs(proc.readyMs)} (oci ${ratio(oci.readyMs, proc.readyMs)} of it)\n`);
}

const work = await mkdtemp(join(tmpdir(), 'baton-bench-oci-'));
dirs.push(work);
const runcRoots = [join(work, 'driver', 'runc'), join(work, 'bare-runc')];
const versions = [(await run('runc', ['--version'])).split('\n')[0], (await run('skopeo', ['--version'])).trim()];
const before = await machineObjects(runcRoots, MARKER);
console.log(`oci scale benchmark: ${versions.join(', ')}, node ${process.version}; traffic to 127.0.0.1 and baton's bridge only\n`);
try {
  const registry = await startRegistry();
  cleanups.push(['stop the registry', () => registry.stop()]);
  await pushImage(registry, SMALL_IMAGE, buildImage({ cmd: ['sh'] }));
  if (only.has('start') && !interrupted) await benchStart(registry, work);
  if (only.has('pods') && !interrupted) await benchPods(registry, work, runcRoots);
  // Last: it builds the big image in this process, and a bigger process makes every later spawn() (fork) dearer.
  if (only.has('pull') && !interrupted) await benchPull(registry, work);
} finally {
  const t0 = performance.now();
  await cleanUp();
  const after = await machineObjects(runcRoots, MARKER);
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  const left = [...after].filter((o) => !before.has(o));
  const older = [...after].filter((o) => before.has(o));
  console.log(`${load()} at the end; cleaned up in ${secs(performance.now() - t0)}; left by this run (netns, veths, baton bridges, runc containers, baton mounts and cgroups, bench processes): ${left.length ? '' : 'nothing'}`);
  for (const l of left) console.log(`   ${l}`);
  if (older.length) console.log(`(there before this run started, not touched: ${older.join('; ')})`);
  if (left.length) process.exitCode = 1;
}
