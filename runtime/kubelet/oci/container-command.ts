import type { ImageConfig } from '../../images/image-types.js';

/**
 * The process a container runs, as Kubernetes documents it: `command`
 * replaces the image's Entrypoint and drops its Cmd; `args` alone replaces
 * Cmd and keeps Entrypoint; neither runs Entrypoint + Cmd. Both arrive
 * already `$(VAR)`-expanded against the container's own environment.
 */
export function containerArgv(image: ImageConfig, command: string[] | undefined, args: string[] | undefined): string[] {
  if (command?.length) return [...command, ...(args ?? [])];
  if (args?.length) return [...image.entrypoint, ...args];
  return [...image.entrypoint, ...image.cmd];
}

/** The image's `Env` with the container's environment over it (the container wins, image order kept). */
export function mergeImageEnv(imageEnv: string[], env: Record<string, string>): string[] {
  const merged = new Map<string, string>();
  for (const entry of imageEnv) {
    const eq = entry.indexOf('=');
    if (eq > 0) merged.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  for (const [name, value] of Object.entries(env)) merged.set(name, value);
  if (!merged.has('PATH')) merged.set('PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  return [...merged].map(([name, value]) => `${name}=${value}`);
}
