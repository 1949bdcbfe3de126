import { expect, it } from 'vitest';
import { runChaos } from './harness.js';

// The short variant of `npm run test:chaos`: two rounds, so each of controller, worker,
// runtime and redis-server is SIGKILLed twice at random moments around new commits.
it('converges after each of the four processes is killed at random moments', { timeout: 900_000 }, async () => {
  const lines: string[] = [];
  const result = await runChaos({ seed: Number(process.env.CHAOS_SEED ?? 7), kills: 8, log: (line) => lines.push(line) });
  expect(result.divergences, lines.join('\n')).toEqual([]);
  expect(result.kills).toBe(8);
});
