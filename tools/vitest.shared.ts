import { defineConfig } from 'vitest/config';

/**
 * Shared test config: packages resolve each other's *source* through the `@repoforge/source`
 * export condition, so tests never need a prior build of their dependencies.
 */
export function packageTestConfig() {
  return defineConfig({
    resolve: { conditions: ['@repoforge/source', 'import', 'module', 'node', 'default'] },
    ssr: { resolve: { conditions: ['@repoforge/source', 'import', 'module', 'node', 'default'] } },
    test: {
      include: ['src/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      // The JSON file feeds tools/test-summary.mjs, which prints the closing 'N passed, N failed' line.
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
      pool: 'forks',
    },
  });
}
