import fc, { type Parameters } from 'fast-check';

/**
 * Every fuzz target runs with a fixed seed so a failure in CI reproduces on a
 * laptop; FUZZ_SEED and FUZZ_RUNS override it (a new seed explores new cases,
 * more runs explore longer). fast-check prints the seed and path of a failure.
 */
export const fuzzSeed = envInt('FUZZ_SEED', 20261125);
export const fuzzRuns = envInt('FUZZ_RUNS', 10_000);

/**
 * A case taking longer than this is reported as a hang. It bounds runaway
 * work (a helper building a gigabyte string, a parser looping), not speed:
 * normal cases take milliseconds, so a loaded CI box stays far below it.
 */
export const caseBoundMs = envInt('FUZZ_CASE_MS', 5_000);

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** Counterexamples can be megabytes (deep nesting, bombs); the report keeps seed, path and the start of each. */
const maxReportChars = 6_000;

/** fast-check parameters shared by every target. */
export function fuzzParameters<T>(extra: Parameters<T> = {}): Parameters<T> {
  return {
    seed: fuzzSeed,
    numRuns: fuzzRuns,
    endOnFailure: true,
    reporter(details) {
      if (!details.failed) return;
      const full = fc.defaultReportMessage(details) ?? 'property failed';
      const text = full.length > maxReportChars ? `${full.slice(0, maxReportChars)}… (${full.length} characters in all)` : full;
      throw new Error(text, { cause: details.errorInstance });
    },
    ...extra,
  };
}

/** One line per target so CI logs show how many cases ran. */
export function reportCases(target: string, cases: number, startedAt: number): void {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  console.log(`fuzz ${target}: ${cases} cases, seed ${fuzzSeed}, ${seconds} s`);
}

/** Runs `fn` and fails when it runs past the hang bound (checked after it returns, since sync work cannot be interrupted). */
export async function withinBound<T>(what: string, fn: () => Promise<T>, boundMs = caseBoundMs): Promise<T> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${boundMs} ms (hang)`)), boundMs);
  });
  try {
    const result = await Promise.race([fn(), hang]);
    const took = Date.now() - started;
    if (took > boundMs) throw new Error(`${what}: took ${took} ms, over the ${boundMs} ms hang bound`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}
