import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Its own config, not a project of the root one: `pnpm test` must not build images. tools/images/test.sh
// (`pnpm test:images`) runs it after setting up a container engine.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    name: 'images',
    include: ['tools/images/test/**/*.image-test.ts'],
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: 'reports/vitest-images.json' }]]
      : ['default'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
