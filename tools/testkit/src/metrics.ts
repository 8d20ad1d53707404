/** One Prometheus text exposition, parsed: `value(name, labels)` is the sample's value. */
export interface Scrape {
  text: string
  /** The sample with exactly these labels (none: the unlabelled one); undefined if absent. */
  value(name: string, labels?: Record<string, string>): number | undefined
  /** Every sample of a metric, with its labels. */
  samples(name: string): Array<{ labels: Record<string, string>; value: number }>
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function parseMetrics(text: string): Scrape {
  const samples = new Map<string, Array<{ labels: Record<string, string>; value: number }>>()
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line)
    if (!match) continue
    const [, name = '', labelText = '', value = ''] = match
    const labels = Object.fromEntries([...labelText.matchAll(LABEL)].map(([, key, val]) => [key!, val!]))
    samples.set(name, [...(samples.get(name) ?? []), { labels, value: Number(value) }])
  }
  const same = (a: Record<string, string>, b: Record<string, string>) =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([key, val]) => a[key] === val)
  return {
    text,
    samples: (name) => samples.get(name) ?? [],
    value: (name, labels = {}) => samples.get(name)?.find((sample) => same(sample.labels, labels))?.value,
  }
}

/**
 * Scrapes `GET /metrics` of an app (anything with Fastify's `inject`: one built with
 * `METRICS_PORT=0`), of a service process (its `metricsUrl`), or of a base URL.
 */
export async function scrapeMetrics(
  target:
    | string
    | { metricsUrl: string }
    | { inject(options: { url: string }): PromiseLike<{ statusCode: number; body: string }> },
): Promise<Scrape> {
  if (typeof target === 'object' && 'metricsUrl' in target) return scrapeMetrics(target.metricsUrl)
  if (typeof target === 'string') {
    const response = await fetch(`${target}/metrics`, { signal: AbortSignal.timeout(10_000) })
    if (!response.ok) throw new Error(`GET ${target}/metrics answered ${response.status}`)
    return parseMetrics(await response.text())
  }
  const response = await target.inject({ url: '/metrics' })
  if (response.statusCode !== 200) throw new Error(`GET /metrics answered ${response.statusCode}`)
  return parseMetrics(response.body)
}
