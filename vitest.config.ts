import { defineConfig } from 'vitest/config'

// Workspace packages are consumed from source through the `source` export condition.
const resolve = { conditions: ['source'] }

export default defineConfig({
  resolve,
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'reports/vitest.json' }]] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Unit tests first: they are fast and need no servers.
          sequence: { groupOrder: 0 },
          include: ['{shared-contracts,tools/*,e2e,frontend,microservices/*}/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['{shared-contracts,tools/*,e2e,frontend,microservices/*}/test/**/*.int.test.ts'],
          globalSetup: ['tools/testkit/src/global-setup.ts'],
          setupFiles: ['tools/testkit/src/integration-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: one broker, one PostgreSQL server, and at most two test files at once.
          maxWorkers: 2,
        },
      },
    ],
  },
})
