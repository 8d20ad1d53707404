import type { Registry } from '@platformatic/prom-client'

/**
 * A registry's Prometheus text, rendered once for every scrape that arrives while a render is under
 * way. A render reads /proc and waits a turn of the event loop (the loop-lag gauge): many scrapes
 * at once would otherwise each pay for it, and crowd out the requests the service is for.
 */
export function sharedRender(registry: Registry): () => Promise<string> {
  let rendering: Promise<string> | undefined
  return () => {
    rendering ??= registry.metrics().finally(() => {
      rendering = undefined
    })
    return rendering
  }
}
