import type { PgActivity } from '../measurement/pg-activity.ts'
import type { CpuUsage } from '../measurement/procs.ts'
import { type Summary, summarize } from './stats.ts'

/** What a figure is: its name, unit, what is compared with what, and the ratio it should reach. */
export interface FigureSpec {
  id: string
  title: string
  unit: string
  subjectLabel: string
  baselineLabel: string
  /**
   * `min`: the ratio must be at least this; `max`: at most. `at-most`: the subject's median itself
   * must not exceed `value` (in `unit`): for a figure with no baseline to be a ratio of.
   */
  target?: { kind: 'min' | 'max'; ratio: number } | { kind: 'at-most'; value: number }
  notes?: string
}

/** One row of the report: a subject measured beside its baseline over interleaved runs. */
export interface Figure extends Omit<FigureSpec, 'target'> {
  subject: Summary
  baseline?: Summary
  /** Median of the per-run ratios subject/baseline (runs are paired by their interleaving). */
  ratio?: Summary
  target?: { text: string; met: boolean }
  /** CPU use (% of one core) per process during the subject's median run. */
  cpu?: CpuUsage
  /** The same during the baseline's median run, where measured. */
  baselineCpu?: CpuUsage
  /** PostgreSQL connection states during the subject's median run. */
  pg?: PgActivity
}

export interface Sample {
  value: number
  cpu?: CpuUsage
  /** What the service's PostgreSQL connections were doing (pg-activity.ts). */
  pg?: PgActivity
  /** Side facts of the run (e.g. records written), kept in the JSON. */
  extra?: Record<string, number>
}

/** The run whose value is the median one (the lower middle of an even count). */
function medianSample(samples: Sample[]): Sample | undefined {
  const order = samples.map((_, run) => run).sort((a, b) => samples[a]!.value - samples[b]!.value)
  return samples[order[(order.length - 1) >> 1]!]
}

function judge(spec: FigureSpec, subject: Summary, ratio: Summary | undefined): Figure['target'] {
  const { target } = spec
  if (target?.kind === 'at-most')
    return { text: `≤ ${target.value} ${spec.unit}`, met: subject.median <= target.value }
  if (!target || !ratio) return undefined
  return {
    text: `${target.kind === 'min' ? '≥' : '≤'} ${target.ratio}`,
    met: target.kind === 'min' ? ratio.median >= target.ratio : ratio.median <= target.ratio,
  }
}

export function figure(spec: FigureSpec, subject: Sample[], baseline?: Sample[]): Figure {
  const values = subject.map((sample) => sample.value)
  const summary = summarize(values)
  // The CPU picture of the run whose value is the median one.
  const medianRun = medianSample(subject)
  const baselineRun = baseline && medianSample(baseline)
  const ratio =
    baseline && baseline.length === subject.length
      ? summarize(subject.map((sample, run) => sample.value / baseline[run]!.value))
      : undefined
  const { target: _target, ...rest } = spec
  const target = judge(spec, summary, ratio)
  return {
    ...rest,
    subject: summary,
    ...(baseline && { baseline: summarize(baseline.map((sample) => sample.value)) }),
    ...(ratio && { ratio }),
    ...(target && { target }),
    ...(medianRun?.cpu && { cpu: medianRun.cpu }),
    ...(medianRun?.pg && { pg: medianRun.pg }),
    ...(baselineRun?.cpu && { baselineCpu: baselineRun.cpu }),
  }
}
