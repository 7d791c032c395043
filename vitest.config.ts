import { defineConfig } from 'vitest/config';

const shared = { testTimeout: 60_000, hookTimeout: 60_000, pool: 'forks' as const };

/**
 * Two groups, one after the other: unit and integration files in parallel, then the end-to-end
 * files (SIGKILL rounds over a million lines, CDC crash runs) one at a time, so their timing-sensitive
 * judgements (where a restart replays from) do not compete with Postgres-heavy integration files
 * for the two cores.
 */
export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'unit+integration', include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'e2e', include: ['test/e2e/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
