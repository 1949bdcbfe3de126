import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
  });
}

/**
 * The container's root: an overlay with the image's unpacked layers as the
 * read-only lower layer and a fresh writable layer per container instance;
 * a copy of the image where overlayfs is unavailable.
 */
export async function mountRootfs(imageRoot: string, bundle: string, target: string): Promise<void> {
  const upper = join(bundle, 'upper');
  const work = join(bundle, 'work');
  for (const dir of [upper, work, target]) mkdirSync(dir, { recursive: true });
  if ([imageRoot, upper, work].some((p) => /[,:]/.test(p))) throw new Error(`overlay paths may not contain ',' or ':' (${bundle})`);
  try {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${imageRoot},upperdir=${upper},workdir=${work}`, target]);
  } catch {
    await run('cp', ['-a', `${imageRoot}/.`, target]);
  }
}

/** Unmounts the container's root if mounted; lazy, so a process still leaving cannot pin it. */
export async function unmountRootfs(target: string): Promise<void> {
  await run('umount', ['--lazy', target]).catch(() => undefined);
}
