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
    tracker.markCommitted(offsets)
    expect(tracker.pending()).toEqual([])
  })

  it('sends a failed commit again, unless a newer one was made since', () => {
    const tracker = new OffsetTracker()
    tracker.markStored('t', 0, 1)
    const first = tracker.pending()
    tracker.markCommitted(first)
    tracker.commitFailed(first)
    expect(tracker.pending()).toEqual(first)

    tracker.markCommitted(first)
    tracker.markStored('t', 0, 4)
    const second = tracker.pending()
    tracker.markCommitted(second)
    tracker.commitFailed(first)
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
