import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'bench/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration tests start real processes; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
