import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { run, runcList } from './bare-runc.js';

/**
 * What a bench that ran containers could leave on the machine, one stable
 * line per object: network namespaces, veths, baton bridges, runc containers
 * under the given roots, mounts and cgroups with baton in their path, and
 * processes whose command line holds `marker`. Taken before and after a run,
 * the difference is what the run left (tests running beside it aside).
 */
export async function machineObjects(runcRoots: string[], marker: string): Promise<Set<string>> {
  const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
  const found = new Set<string>();
  for (const l of lines(await run('ip', ['netns', 'list']))) found.add(`netns ${l.split(' ')[0]}`);
  for (const l of lines(await run('ip', ['-o', 'link', 'show', 'type', 'veth']))) found.add(`veth ${l.split(':')[1].trim().split('@')[0]} ${/master (\S+)/.exec(l)?.[1] ?? ''}`.trim());
  for (const l of lines(await run('ip', ['-o', 'link', 'show', 'type', 'bridge']))) {
    const name = l.split(':')[1].trim();
    if (/^bt[0-9a-f]{8}$/.test(name)) found.add(`bridge ${name}`);
  }
  for (const root of runcRoots) {
    if (!existsSync(root)) continue;
    for (const c of await runcList(root)) found.add(`runc ${root} ${c.id} (${c.status})`);
  }
  for (const l of lines(await run('findmnt', ['-rn', '-o', 'TARGET,FSTYPE']))) if (/baton/.test(l)) found.add(`mount ${l}`);
  for (const controller of ['memory', 'pids', 'cpu', 'unified']) {
    const dir = `/sys/fs/cgroup/${controller}/baton`;
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) found.add(`cgroup ${dir}/${entry.name}`);
  }
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    } catch {
      continue; // gone meanwhile
    }
    if (cmdline.includes(marker)) found.add(`process ${pid} ${cmdline.slice(0, 100)}`);
  }
  return found;
}
