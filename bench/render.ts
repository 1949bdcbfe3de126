// Renders 1,000 applications built on charts/web-service, cold (every template compiled, every
// values file and schema parsed, per render) and warm (templates compiled once per chart blob,
// cached by content digest), in one run. Wall time depends on machine load; CPU time less so.
// Run: npx tsx bench/render.ts [count]   (add NODE_OPTIONS=--expose-gc for steadier memory figures)
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { clearParseCaches, CompileCache, formatObjects, MemoryTree, renderApp, type RenderAppInput } from '../renderer/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const count = Number(process.argv[2] ?? 1000);

async function loadTree(dir: string): Promise<MemoryTree> {
  const tree = new MemoryTree();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) tree.set(relative(dir, full), await readFile(full));
    }
  };
  await walk(dir);
  return tree;
}

interface AppSpec {
  name: string;
  chart?: string;
  namespace?: string;
  values?: string[];
  set?: Record<string, unknown>;
}

// Trees are loaded from disk once, as the controller would hold Git objects in memory.
const charts = await loadTree(join(root, 'charts'));
const repo = await loadTree(join(root, 'examples-repo'));
const baton = parse(await readFile(join(root, 'examples-repo/baton.yaml'), 'utf8')) as { apps: AppSpec[] };
const templates = baton.apps.filter((a) => a.chart === 'web-service');
if (templates.length === 0) throw new Error('examples-repo/baton.yaml has no app on chart web-service');

const inputs: RenderAppInput[] = Array.from({ length: count }, (_, i) => {
  const a = templates[i % templates.length];
  return {
    repo,
    chart: { tree: charts, path: 'web-service' },
    valuesFiles: a.values ?? [],
    values: a.set,
    release: { name: `${a.name}-${i}`, namespace: a.namespace ?? a.name, revision: 1 + (i % 7) },
  };
});

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;

async function phase(label: string, cache: () => CompileCache | false, cold: boolean): Promise<string[]> {
  gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  let objects = 0;
  const outputs: string[] = [];
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (const input of inputs) {
    if (cold) clearParseCaches();
    const r = await renderApp({ ...input, compileCache: cache() });
    if (r.errors.length > 0) throw new Error(`${input.release.name}: ${r.errors.map((e) => e.format()).join('\n')}`);
    objects += r.objects.length;
    if (outputs.length < 20) outputs.push(formatObjects(r.objects));
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const after = process.memoryUsage();
  console.log(
    `${label.padEnd(5)} ${count} apps, ${objects} objects: ${ms.toFixed(0)} ms wall (${(ms / count).toFixed(2)} ms/app, ${((count * 1000) / ms).toFixed(0)} apps/s), ` +
      `${cpuMs.toFixed(0)} ms CPU (${(cpuMs / count).toFixed(2)} ms/app); ` +
      `heap ${mb(before.heapUsed)} -> ${mb(after.heapUsed)} (peak ${mb(peakHeap)}), rss peak ${mb(peakRss)}`,
  );
  return outputs;
}

console.log(`baton renderer bench: charts/web-service, ${templates.length} distinct value sets from examples-repo/baton.yaml, node ${process.version}`);
const cold = await phase('cold', () => false, true);
const shared = new CompileCache();
const warm = await phase('warm', () => shared, false);
console.log(`compile cache: ${shared.size} templates, ${shared.hits} hits, ${shared.misses} misses`);
const same = cold.every((o, i) => o === warm[i]);
console.log(`cold and warm output byte-identical (first ${cold.length} apps): ${same}`);
if (!same) process.exitCode = 1;
