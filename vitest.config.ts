import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    exclude: ['node_modules/**', 'dist/**', 'bench/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration tests mostly wait on the processes they start (runtimes, pods, Redis, git): on two
    // cores a third worker keeps them busy (a clean CI used ~60% of both with two).
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        // Unit tests share their worker's module graph: loading the same modules again for each file cost 3/4 of their time.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: ['node_modules/**', 'dist/**', 'bench/**', 'test/unit/**'] },
      },
    ],
  },
});
