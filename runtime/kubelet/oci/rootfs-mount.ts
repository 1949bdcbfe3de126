import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launcher } from '../../launcher/index.js';

async function run(file: string, args: string[]): Promise<void> {
  const result = await launcher().run(file, args, { timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')}: ${result.stderr.trim() || `exit ${result.code}`}`);
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
