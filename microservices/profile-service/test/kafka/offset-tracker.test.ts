import { describe, expect, it } from 'vitest'
import { OffsetTracker } from '../../src/kafka/offset-tracker.ts'
import { partitionKey } from '../../src/kafka/partition-chunks.ts'

describe('OffsetTracker', () => {
  it('commits the offset after the last stored message, per partition', () => {
    const tracker = new OffsetTracker()
    tracker.markStored('t', 0, 0)
    tracker.markStored('t', 0, 1)
    tracker.markStored('t', 2, 7)
    expect(tracker.pending()).toEqual([
      { topic: 't', partition: 0, offset: 2 },
      { topic: 't', partition: 2, offset: 8 },
    ])
  })

  it('never moves backwards and has nothing pending once committed', () => {
    const tracker = new OffsetTracker()
    tracker.markStored('t', 0, 5)
    tracker.markStored('t', 0, 3)
    const offsets = tracker.pending()
    expect(offsets).toEqual([{ topic: 't', partition: 0, offset: 6 }])
    tracker.markSent(offsets)
    expect(tracker.pending()).toEqual([])
    tracker.commitAnswered(offsets, true)
    expect(tracker.pending()).toEqual([])
  })

  it('sends a failed commit again, unless a newer one was made since', () => {
    const tracker = new OffsetTracker()
    tracker.markStored('t', 0, 1)
    const first = tracker.pending()
    tracker.markSent(first)
    tracker.commitAnswered(first, false)
    expect(tracker.pending()).toEqual(first)

    tracker.markSent(first)
    tracker.markStored('t', 0, 4)
    const second = tracker.pending()
    tracker.markSent(second)
    tracker.commitAnswered(first, false)
    expect(tracker.pending()).toEqual([])
  })

  it('commits the newest offset again when an older commit succeeds after it', () => {
    const tracker = new OffsetTracker()
    tracker.markStored('t', 0, 1)
    const first = tracker.pending()
    tracker.markSent(first)
    tracker.markStored('t', 0, 2)
    const second = tracker.pending()
    tracker.markSent(second)
    tracker.commitAnswered(second, true)
    expect(tracker.pending()).toEqual([])
    tracker.commitAnswered(first, true)
    expect(tracker.pending()).toEqual(second)
  })

  it('ignores the answer to a commit of a partition revoked since', () => {
    const tracker = new OffsetTracker()
    tracker.markStored('t', 0, 1)
    const old = tracker.pending()
    tracker.markSent(old)
    tracker.forget(partitionKey('t', 0))
    tracker.markStored('t', 0, 5)
    const current = tracker.pending()
    tracker.markSent(current)
    tracker.commitAnswered(current, true)
    tracker.commitAnswered(old, true)
    expect(tracker.pending()).toEqual([])
  })

  it('filters partitions and forgets revoked ones', () => {
    const tracker = new OffsetTracker()
    tracker.markStored('t', 0, 1)
    tracker.markStored('t', 1, 1)
    expect(tracker.pending((key) => key === partitionKey('t', 1))).toEqual([
      { topic: 't', partition: 1, offset: 2 },
    ])
    tracker.forget(partitionKey('t', 0))
    expect(tracker.pending().map((tp) => tp.partition)).toEqual([1])
  })
})
