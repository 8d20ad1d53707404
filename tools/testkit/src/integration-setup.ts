import { beforeAll, inject } from 'vitest'
import type {} from './provided-context.ts'

// Runs first in every integration test file: without the shared servers nothing in it can work, so
// it fails with the reason global-setup.ts recorded instead of with a confusing later error.
beforeAll(() => {
  const error = inject('testServersError')
  if (error) throw new Error(`The test servers could not be started: ${error}`)
})
