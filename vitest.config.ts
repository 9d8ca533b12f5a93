import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/fit-worker-bundle.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one file at a time on 2 cores (cores − 1); many files wait on child
    // processes, S3 servers and the browser, so two at a time take about half as long there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
