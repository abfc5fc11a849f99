import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

/** The one build config every package shares: ESM + CJS, declarations for both, Node 20. */
export function packageConfig(overrides: Partial<Options> = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    target: 'node20',
    platform: 'node',
    dts: true,
    // Declarations are built against the other packages' published types (dist), not their source.
    tsconfig: fileURLToPath(new URL('./tsconfig.build.json', import.meta.url)),
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    ...overrides,
  });
}
