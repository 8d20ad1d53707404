import type { DeadLetter } from './dead-letter.ts'
import { type Outcome, Outcomes } from './decide.ts'
import { sample } from './mask.ts'

/** How many samples a dry run shows, and how many skipped dead letters a report lists one by one. */
const SAMPLES = 3
const LISTED_SKIPS = 50

type Counts = Record<string, number>
const count = (counts: Counts, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1
}

/** What a run read and did: counts by outcome, and by reason, source partition and data version. */
export class Report {
  readonly outcomes: Record<Outcome, number> = {
    redriven: 0,
    filtered: 0,
    capped: 0,
    truncated: 0,
    invalid: 0,
  }
  readonly byReason: Counts = {}
  readonly bySourcePartition: Counts = {}
  readonly byDataVersion: Counts = {}
  /** First and last offset read, by dead-letter partition. */
  readonly offsets: Record<string, { first: number; last: number }> = {}
  readonly samples: Array<ReturnType<typeof sample>> = []
  /** The capped, truncated and invalid ones: each is named, since each needs a look. */
  readonly skipped: Array<{ outcome: Outcome; at: string; reason: string; redriveCount: number }> = []
  read = 0

  add(deadLetter: DeadLetter, outcome: Outcome): void {
    this.read++
    this.outcomes[outcome]++
    const range = this.offsets[deadLetter.partition]
    if (range) range.last = deadLetter.offset
    else this.offsets[deadLetter.partition] = { first: deadLetter.offset, last: deadLetter.offset }
    if (outcome === Outcomes.filtered) return
    count(this.byReason, deadLetter.reason)
    count(this.bySourcePartition, String(deadLetter.source?.partition ?? 'unknown'))
    count(this.byDataVersion, deadLetter.dataVersion)
    if (outcome === Outcomes.redriven) {
      if (this.samples.length < SAMPLES) this.samples.push(sample(deadLetter))
    } else if (this.skipped.length < LISTED_SKIPS) {
      const { reason, redriveCount } = deadLetter
      this.skipped.push({ outcome, at: `${deadLetter.partition}/${deadLetter.offset}`, reason, redriveCount })
    }
  }

  /** `redriven 5, filtered 2, capped 0, truncated 1, invalid 0`: the line a log or a shell reads. */
  summaryLine(): string {
    return Object.entries(this.outcomes)
      .map(([outcome, n]) => `${outcome} ${n}`)
      .join(', ')
  }
}

const list = (counts: Counts) =>
  Object.entries(counts)
    .map(([key, n]) => `${key}: ${n}`)
    .join(', ') || 'none'

/** The report for people: counts, offset ranges, the skipped ones, samples (dry run). */
export function formatReport(report: Report, { dryRun }: { dryRun: boolean }): string {
  const ranges = Object.entries(report.offsets).map(
    ([p, { first, last }]) => `partition ${p}: ${first}-${last}`,
  )
  const lines = [
    `read ${report.read} dead letter(s)${ranges.length ? ` (${ranges.join('; ')})` : ''}`,
    `by reason: ${list(report.byReason)}`,
    `by source partition: ${list(report.bySourcePartition)}`,
    `by data version: ${list(report.byDataVersion)}`,
  ]
  for (const skip of report.skipped)
    lines.push(`${skip.outcome}: ${skip.at} (${skip.reason}, re-driven ${skip.redriveCount} time(s) before)`)
  const skippedTotal = report.outcomes.capped + report.outcomes.truncated + report.outcomes.invalid
  if (skippedTotal > report.skipped.length)
    lines.push(`... and ${skippedTotal - report.skipped.length} more skipped`)
  if (dryRun) for (const one of report.samples) lines.push(`sample: ${JSON.stringify(one)}`)
  return lines.join('\n')
}

/** The report for machines (`--json`): one object, counts by outcome first. */
export function reportJson(report: Report, context: Record<string, unknown>) {
  const { outcomes, read, byReason, bySourcePartition, byDataVersion, offsets, skipped, samples } = report
  return { ...context, outcomes, read, byReason, bySourcePartition, byDataVersion, offsets, skipped, samples }
}
