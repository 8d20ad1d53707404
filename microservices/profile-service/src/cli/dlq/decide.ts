import type { DeadLetter } from './dead-letter.ts'

/** What a run does with a dead letter it reads. */
export const Outcomes = {
  /** Republished to its source topic (planned, in a dry run). */
  redriven: 'redriven',
  /** Outside the filters: left alone. */
  filtered: 'filtered',
  /** Re-driven as often as the cap allows already: skipped and reported. */
  capped: 'capped',
  /** A copy cut down to fit (`dlq_truncated`): never re-driven, only reported. */
  truncated: 'truncated',
  /** No usable origin (headers missing, or another topic than this one's source): reported. */
  invalid: 'invalid',
} as const
export type Outcome = (typeof Outcomes)[keyof typeof Outcomes]

export interface Filters {
  /** Only these `dlq_reason`s (all when empty). */
  reasons: readonly string[]
  /** Only dead letters failed at or after / before this time. */
  since?: Date | undefined
  until?: Date | undefined
}

export interface Rules {
  filters: Filters
  /** A dead letter re-driven this many times already is skipped. */
  cap: number
  /** Where dead letters of this topic come from, and go back to. */
  sourceTopic: string
  sourcePartitions: number
}

export function decide(
  deadLetter: DeadLetter,
  { filters, cap, sourceTopic, sourcePartitions }: Rules,
): Outcome {
  const { reasons, since, until } = filters
  if (reasons.length > 0 && !reasons.includes(deadLetter.reason)) return Outcomes.filtered
  if (since && deadLetter.failedAt < since) return Outcomes.filtered
  if (until && deadLetter.failedAt >= until) return Outcomes.filtered
  if (deadLetter.truncated) return Outcomes.truncated
  const { source } = deadLetter
  if (!source || source.topic !== sourceTopic || source.partition >= sourcePartitions) return Outcomes.invalid
  if (deadLetter.redriveCount >= cap) return Outcomes.capped
  return Outcomes.redriven
}
