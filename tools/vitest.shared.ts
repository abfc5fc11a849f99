import { defineConfig } from 'vitest/config';

/** Unit tests: pure, no engines, quick. */
const UNIT_TIMEOUT_MS = 60_000;
/**
 * Integration tests drive Docker, Redis, bubblewrap and real repositories. Their time is the work's: a cold
 * image build (apt in `docker build`) takes minutes on 2 busy cores, so the default is sized for that, and
 * tests with more work (24 real SWE-bench instances) set their own.
 */
const INTEGRATION_TIMEOUT_MS = 1_200_000;

/**
 * Shared test config: packages resolve each other's *source* through the `@repoforge/source`
 * export condition, so tests never need a prior build of their dependencies. Two projects, as TanStack
 * splits test:lib from test:build: `unit` (`vitest run --project unit`, seconds) and `integration`.
 */
export function packageTestConfig() {
  return defineConfig({
    resolve: { conditions: ['@repoforge/source', 'import', 'module', 'node', 'default'] },
    ssr: { resolve: { conditions: ['@repoforge/source', 'import', 'module', 'node', 'default'] } },
    test: {
      // The JSON file feeds tools/test-summary.mjs, which prints the closing 'N passed, N failed' line.
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
      pool: 'forks',
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            include: ['src/**/*.test.ts'],
            exclude: ['src/**/*.integration.test.ts'],
            testTimeout: UNIT_TIMEOUT_MS,
            hookTimeout: UNIT_TIMEOUT_MS,
          },
        },
        {
          extends: true,
          test: {
            name: 'integration',
            include: ['src/**/*.integration.test.ts'],
            testTimeout: INTEGRATION_TIMEOUT_MS,
            hookTimeout: INTEGRATION_TIMEOUT_MS,
          },
        },
      ],
    },
  });
}
