import type { Registry } from '@platformatic/prom-client'
import { describe, expect, it } from 'vitest'
import { sharedRender } from '../../src/metrics/shared-render.ts'

/** A registry whose renders finish when the test says so, counting them. */
function slowRegistry() {
  const pending: Array<(text: string) => void> = []
  const registry = {
    metrics: () => new Promise<string>((resolve) => pending.push(resolve)),
  } as unknown as Registry
  return { registry, pending }
}

describe('sharedRender', () => {
  it('gives every scrape that arrives during a render that render, and renders anew afterwards', async () => {
    const { registry, pending } = slowRegistry()
    const render = sharedRender(registry)
    const during = [render(), render(), render()]
    expect(pending).toHaveLength(1)
    pending[0]!('first')
    expect(await Promise.all(during)).toEqual(['first', 'first', 'first'])

    const after = render()
    expect(pending).toHaveLength(2)
    pending[1]!('second')
    expect(await after).toBe('second')
  })
})
