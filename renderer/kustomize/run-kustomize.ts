import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why kustomize could not build, in words for the person who owns the repository. */
export class KustomizeFailure extends Error {}

let checked: Promise<void> | undefined;

/**
 * kubectl with kustomize v5 or later (`kubectl version --client` reports it),
 * checked once per process: older kustomize reads overlays differently.
 */
function checkKubectl(): Promise<void> {
  checked ??= (async () => {
    let out: string;
    try {
      out = (await run('kubectl', ['version', '--client', '-o', 'json'], { timeout: 30_000 })).stdout;
    } catch (err) {
      checked = undefined;
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      throw new KustomizeFailure(
        missing
          ? 'Kustomize apps are built with `kubectl kustomize`, and kubectl is not on the PATH of baton: install kubectl 1.27 or later (it bundles kustomize v5)'
          : `\`kubectl version --client\` failed: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    const version = (JSON.parse(out) as { kustomizeVersion?: string }).kustomizeVersion ?? 'unknown';
    const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
    if (!(major >= 5)) {
      checked = undefined;
      throw new KustomizeFailure(`kubectl bundles kustomize ${version}; baton needs kustomize v5 or later: upgrade kubectl to 1.27 or later`);
    }
  })();
  return checked;
}

/** kubectl's message without its log-line wrapping (`E1206 … run.go:72] "command failed" err=< … >`), on one line. */
function oneLine(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^[EWI]\d{4} \S+\s+\d+ \S+\] "command failed" err=<\s*$/.test(l) && l.trim() !== '>')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== '`')
    .join(' ')
    .replace(/^error: /, '');
}

export interface KustomizeBuild {
  /** Files of the repository by tree path, written into a private checkout. */
  files: Map<string, Buffer>;
  /** Tree path of the directory to build. */
  dir: string;
  /** A kustomization that lists `resource` (the app's directory, as a relative path) and the app's baton.yaml options. @defaultValue none: build `dir` as it is */
  overlay?: (resource: string) => string;
  /** Largest output accepted. */
  maxOutputBytes: number;
}

/**
 * Runs `kubectl kustomize` over a checkout of `files` in a private temporary
 * directory (removed after). Only files are written, never symlinks, so
 * nothing in the checkout points outside it; remote bases were refused before.
 */
export async function runKustomize(build: KustomizeBuild): Promise<string> {
  await checkKubectl();
  const tmp = await mkdtemp(join(tmpdir(), 'baton-kustomize-'));
  const repo = join(tmp, 'repo');
  try {
    for (const [path, content] of build.files) {
      const full = join(repo, ...path.split('/'));
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content, { mode: 0o600 });
    }
    let target = join(repo, ...build.dir.split('/').filter(Boolean));
    if (build.overlay) {
      target = join(tmp, 'overlay');
      await mkdir(target);
      await writeFile(join(target, 'kustomization.yaml'), build.overlay(['..', 'repo', build.dir].filter(Boolean).join('/')));
    }
    try {
      const { stdout } = await run('kubectl', ['kustomize', target], { maxBuffer: build.maxOutputBytes, timeout: 120_000, cwd: tmp });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string; code?: string | number };
      if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') throw new KustomizeFailure(`kustomize's output is over the ${build.maxOutputBytes}-byte limit`);
      // Paths in kustomize's messages are in the checkout: show them as the repository's.
      const said = (e.stderr || e.message).replaceAll(`${repo}/`, '').replaceAll(repo, '.').replaceAll(`${tmp}/overlay`, 'baton.yaml kustomize:').trim();
      throw new KustomizeFailure(`kustomize build failed: ${oneLine(said)}`);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
