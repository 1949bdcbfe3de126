import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';

interface ImageFlags {
  stateDir: string;
}

const stateDirHelp = 'where the runtime keeps its state; images live in <state-dir>/images';

function humanSize(bytes: number): string {
  // crictl's units: powers of 1000, three significant digits.
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0 ? `${n}B` : `${n.toPrecision(3).replace(/\.?0+$/, '')}${units[i]}`;
}

async function open(flags: ImageFlags) {
  // Loaded on use, like the runtime: other commands should not pay for it.
  const images = await (await import('../../../../runtime/index.js')).loadImages();
  return { images, store: images.openImageStore({ dir: join(flags.stateDir, 'images') }) };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] + 3))).join('').trimEnd()).join('\n') + '\n';
}

export function registerImage(program: Command): void {
  const image = program.command('image').description("manage the built-in runtime's images (pulled by the oci driver, or imported for air-gapped use)");

  image
    .command('import')
    .description('load images from an OCI image-layout tar or a `docker save` tar (gzip or not); - reads stdin')
    .argument('<file>', 'archive path, or - for stdin')
    .option('--state-dir <dir>', stateDirHelp, '.baton')
    .action(async (file: string, flags: ImageFlags) => {
      let input: Readable;
      if (file === '-') input = process.stdin;
      else {
        if (!existsSync(file)) throw new CliError(`baton image import: ${file}: no such file`);
        if (statSync(file).isDirectory()) throw new CliError(`baton image import: ${file} is a directory; give the archive (tar) itself`);
        input = createReadStream(file);
      }
      const { images, store } = await open(flags);
      try {
        const imported = await store.importArchive(input);
        for (const i of imported) process.stdout.write(`imported ${i.name} (${i.digest})\n`);
      } catch (err) {
        if (err instanceof images.ImageArchiveError || err instanceof images.ImagePullError) throw new CliError(`baton image import: ${file === '-' ? 'stdin' : file}: ${err.message}`);
        throw err;
      } finally {
        await store.close();
      }
    });

  image
    .command('ls')
    .description('list images, as `crictl images` does')
    .option('--state-dir <dir>', stateDirHelp, '.baton')
    .action(async (flags: ImageFlags) => {
      const { images, store } = await open(flags);
      const rows = [['IMAGE', 'TAG', 'IMAGE ID', 'SIZE']];
      for (const i of store.list().sort((a, b) => a.name.localeCompare(b.name))) {
        const ref = images.parseImageReference(i.name);
        rows.push([`${ref.registry}/${ref.repository}`, ref.tag ?? '<none>', i.digest.replace(/^sha256:/, '').slice(0, 13), humanSize(i.size)]);
      }
      process.stdout.write(table(rows));
      await store.close();
    });

  image
    .command('rm')
    .description('remove an image by name, digest or IMAGE ID')
    .argument('<ref>', 'image name (busybox, docker.io/library/busybox:latest) or IMAGE ID')
    .option('--state-dir <dir>', stateDirHelp, '.baton')
    .action(async (ref: string, flags: ImageFlags) => {
      const { store } = await open(flags);
      try {
        if (!store.remove(ref)) throw new CliError(`baton image rm: no such image "${ref}"`);
        process.stdout.write(`Deleted: ${ref}\n`);
      } catch (err) {
        if (err instanceof CliError) throw err;
        throw new CliError(`baton image rm: ${(err as Error).message}`);
      } finally {
        await store.close();
      }
    });

  image
    .command('prune')
    .description('remove every image no container uses, and the blobs only they held')
    .option('--state-dir <dir>', stateDirHelp, '.baton')
    .action(async (flags: ImageFlags) => {
      const { store } = await open(flags);
      const { removed, freedBytes } = store.prune();
      for (const name of removed) process.stdout.write(`Deleted: ${name}\n`);
      process.stdout.write(`Total reclaimed space: ${humanSize(freedBytes)}\n`);
      await store.close();
    });
}
