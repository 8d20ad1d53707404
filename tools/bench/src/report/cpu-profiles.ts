import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { repoRoot } from '@kafka-ref/local-servers'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[]
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileSummary {
  file: string
  /** Sampled time outside '(idle)', ms. */
  busyMs: number
  idleMs: number
  /**
   * Self time by package (node_modules name), 'node' internals, 'app' (the repo's code) or a V8
   * bucket. Native calls (a socket's writev, say) count for the package that made them.
   */
  byPackage: { name: string; percent: number }[]
  /** The functions with the most self time. */
  topFunctions: { name: string; percent: number }[]
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName || '(native)'
  if (url.startsWith('node:')) return 'node'
  const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url)
  return match ? match[1]! : 'app'
}

const location = (frame: CallFrame) =>
  `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(microservices|shared-contracts|tools)\//, '$1/')}:${frame.lineNumber + 1}`

/** Where a sample's self time is booked: a native frame goes to the nearest caller outside Node's own code. */
function attribute(id: number, frames: Map<number, CallFrame>, parents: Map<number, number>) {
  const frame = frames.get(id)!
  if (frame.url || frame.functionName.startsWith('(')) {
    return {
      pkg: packageOf(frame.url, frame.functionName),
      name: frame.url ? location(frame) : frame.functionName,
    }
  }
  for (let at = parents.get(id); at !== undefined; at = parents.get(at)) {
    const caller = frames.get(at)!
    if (caller.url.includes('cpu-profiler.mjs')) return undefined
    if (caller.url && !caller.url.startsWith('node:')) {
      return { pkg: packageOf(caller.url, ''), name: `${frame.functionName} ← ${location(caller)}` }
    }
  }
  return { pkg: 'node', name: frame.functionName }
}

function summarize(file: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const parents = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)
  const self = new Map<number, number>()
  profile.samples.forEach((id, index) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000)
  })
  const packages = new Map<string, number>()
  const functions = new Map<string, number>()
  let idleMs = 0
  for (const [id, ms] of self) {
    if (frames.get(id)!.functionName === '(idle)') {
      idleMs += ms
      continue
    }
    // The profiler's own work when it stops (cpu-profiler.mjs) is not the service's.
    const booked = attribute(id, frames, parents)
    if (!booked) continue
    packages.set(booked.pkg, (packages.get(booked.pkg) ?? 0) + ms)
    functions.set(booked.name, (functions.get(booked.name) ?? 0) + ms)
  }
  const busyMs = [...packages.values()].reduce((sum, ms) => sum + ms, 0)
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, percent: Math.round((ms / busyMs) * 1000) / 10 }))
  return {
    file: relative(repoRoot(), file),
    busyMs: Math.round(busyMs),
    idleMs: Math.round(idleMs),
    byPackage: top(packages, 10),
    topFunctions: top(functions, 15),
  }
}

/** Summaries of every .cpuprofile the services wrote under `dir` (one folder per service label). */
export function summarizeProfiles(dir: string): ProfileSummary[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) =>
    name.endsWith('.cpuprofile'),
  )
  return files.sort().map((name) => summarize(join(dir, name)))
}

export function formatProfiles(summaries: ProfileSummary[]): string {
  return summaries
    .map((summary) => {
      const share = (items: { name: string; percent: number }[]) =>
        items.map((item) => `    ${item.percent.toFixed(1).padStart(5)}%  ${item.name}`).join('\n')
      const busy = Math.round((summary.busyMs / (summary.busyMs + summary.idleMs)) * 100)
      return [
        `${summary.file}: busy ${summary.busyMs} ms, idle ${summary.idleMs} ms (${busy}% busy)`,
        '  self time by package:',
        share(summary.byPackage),
        '  top functions (self time):',
        share(summary.topFunctions),
      ].join('\n')
    })
    .join('\n\n')
}
