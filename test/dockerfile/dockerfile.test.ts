import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SYSTEM_PACKAGES } from '../../controller/edges/cli/setup/system-packages.js';
import { NODE_PROCESS_ENV } from '../../controller/edges/cli/node-process-env.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Instruction {
  line: number;
  op: string;
  args: string;
}

/** Dockerfile instructions with continuation lines joined; comments and blank lines dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i].trim()}`;
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile:${start + 1}: not an instruction: ${line}`);
    out.push({ line: start + 1, op: m[1].toUpperCase(), args: m[2].trim() });
  }
  return out;
}

const KNOWN = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'WORKDIR', 'USER', 'VOLUME', 'EXPOSE', 'ENV', 'ARG', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD', 'LABEL']);

describe('Dockerfile', () => {
  const instructions = parseDockerfile(readFileSync(`${root}/Dockerfile`, 'utf8'));
  const finalStage = instructions.slice(instructions.map((i) => i.op).lastIndexOf('FROM'));

  it('parses into known instructions, with several stages', () => {
    for (const i of instructions) expect(KNOWN, `Dockerfile:${i.line}: ${i.op}`).toContain(i.op);
    expect(instructions.filter((i) => i.op === 'FROM').length).toBeGreaterThanOrEqual(2);
  });

  it('copies only files that exist in the repository (or come from an earlier stage)', () => {
    for (const i of instructions.filter((x) => x.op === 'COPY' && !x.args.startsWith('--from'))) {
      const sources = i.args.split(/\s+/).slice(0, -1);
      for (const s of sources) expect(existsSync(`${root}/${s}`), `Dockerfile:${i.line}: ${s} does not exist`).toBe(true);
    }
  });

  it('installs production dependencies only in the final image, runs as a non-root user and checks /healthz', () => {
    expect(instructions.some((i) => i.op === 'RUN' && i.args.includes('npm ci --omit=dev'))).toBe(true);
    const user = finalStage.find((i) => i.op === 'USER');
    expect(user?.args).toBeDefined();
    expect(user!.args).not.toMatch(/^(root|0)$/);
    expect(finalStage.find((i) => i.op === 'HEALTHCHECK')?.args).toContain('/healthz');
    expect(finalStage.find((i) => i.op === 'VOLUME')?.args).toContain('/var/lib/baton');
  });

  it('installs the same Debian packages as `baton setup`', () => {
    const install = finalStage.find((i) => i.op === 'RUN' && i.args.includes('apt-get install'))!.args;
    const packages = /apt-get install ((?:-\S+\s+)*)([^&]+)/.exec(install)![2].trim().split(/\s+/);
    expect(packages.sort()).toEqual(SYSTEM_PACKAGES.map((p) => p.name).sort());
  });

  it('starts the CLI that package.json declares', () => {
    const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
    const entry = finalStage.find((i) => i.op === 'ENTRYPOINT')!.args;
    expect(entry).toContain(pkg.bin.baton.replace(/^\.\//, ''));
  });

  it("starts Node with baton's environment, as bin/baton.js's first line does", () => {
    const assignments = Object.entries(NODE_PROCESS_ENV).map(([name, value]) => `${name}=${value}`);
    const env = finalStage.filter((i) => i.op === 'ENV').map((i) => i.args.replace(/\s+/g, '='));
    expect(env).toEqual(expect.arrayContaining(assignments));
    const shebang = readFileSync(`${root}/bin/baton.js`, 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S ${assignments.join(' ')} node`);
  });
});
