/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for
 * tests: every line must be a HELP, TYPE, or sample line of a declared
 * family; histograms must have cumulative buckets ending in `+Inf` equal to
 * `_count`. prom-client ships no parser, so this checks what a Prometheus
 * server would refuse.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SUFFIXES: Record<Family['type'], string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, i) => {
      const where = `line ${i + 1}: ${line}`;
      if (line === '') return;
      if (line.startsWith('#')) {
        const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
        if (!m) {
          if (line.startsWith('# HELP') || line.startsWith('# TYPE')) throw new Error(`bad comment, ${where}`);
          return;
        }
        const [, kind, name, rest] = m;
        if (!NAME.test(name)) throw new Error(`bad metric name, ${where}`);
        const family = families.get(name) ?? { name, type: 'untyped' as const, help: '', samples: [] };
        families.set(name, family);
        if (kind === 'HELP') family.help = rest;
        else {
          if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`bad type, ${where}`);
          if (family.samples.length > 0) throw new Error(`TYPE after samples, ${where}`);
          family.type = rest as Family['type'];
        }
        return;
      }
      const sample = parseSample(line, where);
      const family = familyOf(families, sample.name);
      if (!family) throw new Error(`sample of an undeclared family, ${where}`);
      family.samples.push(sample);
    });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function parseSample(line: string, where: string): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/.exec(line);
  if (!m) throw new Error(`bad sample, ${where}`);
  const labels: Record<string, string> = {};
  if (m[2]) {
    let rest = m[2].slice(1, -1);
    while (rest.length > 0) {
      const lm = /^([^=]+)="((?:[^"\\]|\\["\\n])*)"(,|$)/.exec(rest);
      if (!lm || !LABEL_NAME.test(lm[1])) throw new Error(`bad label, ${where}`);
      if (lm[1] in labels) throw new Error(`duplicate label, ${where}`);
      labels[lm[1]] = lm[2].replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(lm[0].length);
    }
  }
  // Prometheus parses values with Go's strconv.ParseFloat: Inf and NaN in any letter case (prom-client writes `Nan`).
  const raw = m[3].toLowerCase();
  const special: Record<string, number> = { '+inf': Infinity, inf: Infinity, '-inf': -Infinity, nan: NaN };
  const value = raw in special ? special[raw] : /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(raw) ? Number(raw) : undefined;
  if (value === undefined) throw new Error(`bad value, ${where}`);
  return { name: m[1], labels, value };
}

function familyOf(families: Map<string, Family>, sampleName: string): Family | undefined {
  for (const family of families.values()) {
    for (const suffix of SUFFIXES[family.type]) if (family.name + suffix === sampleName) return family;
  }
  return undefined;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (s.name.endsWith('_bucket') && le === undefined) throw new Error(`${family.name}: bucket without le`);
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const samples of series.values()) {
    const buckets = samples.filter((s) => s.name.endsWith('_bucket'));
    const count = samples.find((s) => s.name.endsWith('_count'));
    if (!count || !samples.some((s) => s.name.endsWith('_sum'))) throw new Error(`${family.name}: missing _sum or _count`);
    for (let i = 1; i < buckets.length; i++) {
      if (Number(buckets[i].labels.le.replace('+Inf', 'Infinity')) <= Number(buckets[i - 1].labels.le)) throw new Error(`${family.name}: le not increasing`);
      if (buckets[i].value < buckets[i - 1].value) throw new Error(`${family.name}: buckets not cumulative`);
    }
    const inf = buckets.at(-1);
    if (inf?.labels.le !== '+Inf' || inf.value !== count.value) throw new Error(`${family.name}: +Inf bucket must equal _count`);
  }
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when none. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of families.values()) {
    for (const s of family.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
