import type { KafkaConsumer } from 'node-rdkafka'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { OffsetCommits } from '../../src/kafka/offset-commits.ts'
import type { TopicPartitionOffset } from '../../src/kafka/offset-tracker.ts'

/** OffsetCommits over a consumer that records the commits it is asked for. */
function commitsOf() {
  const sent: TopicPartitionOffset[][] = []
  const commits = new OffsetCommits(
    {
      commit: ((offsets: TopicPartitionOffset[]) => {
        sent.push([...offsets])
      }) as KafkaConsumer['commit'],
    },
    { intervalMs: 0, log: pino({ level: 'silent' }) },
  )
  return { commits, sent, all: () => true }
}

const at = (offset: number) => [{ topic: 't', partition: 1, offset }]

describe('OffsetCommits', () => {
  it('commits what is stored once, and nothing while the broker has it', () => {
    const { commits, sent, all } = commitsOf()
    commits.stored('t', 1, 10)
    commits.commit(all)
    commits.onCommitted(undefined, at(11))
    commits.commit(all)
    expect(sent).toEqual([at(11)])
  })

  it('sends a commit again when it failed and nothing newer was sent', () => {
    const { commits, sent, all } = commitsOf()
    commits.stored('t', 1, 10)
    commits.commit(all)
    commits.onCommitted(Object.assign(new Error('Broker: Not coordinator'), { code: 16 }) as never, at(11))
    commits.commit(all)
    expect(sent).toEqual([at(11), at(11)])
  })

  // The group coordinator killed: librdkafka retried the commit it had in flight (11) on the new
  // coordinator after the newer one (12), which waited for that coordinator; both answered success,
  // the broker was left holding 11, and with no new message on that partition nothing committed
  // 12 again: its lag stayed at 1 (seen in the cluster test 3d).
  it('commits the newest offset again when an older commit is answered after it', () => {
    const { commits, sent, all } = commitsOf()
    commits.stored('t', 1, 10)
    commits.commit(all)
    commits.stored('t', 1, 11)
    commits.commit(all)
    commits.onCommitted(undefined, at(12))
    commits.onCommitted(undefined, at(11))
    commits.commit(all)
    expect(sent).toEqual([at(11), at(12), at(12)])
  })

  it('sends nothing more while the newest commit is still unanswered', () => {
    const { commits, sent, all } = commitsOf()
    commits.stored('t', 1, 10)
    commits.commit(all)
    commits.stored('t', 1, 11)
    commits.commit(all)
    commits.onCommitted(undefined, at(11))
    commits.commit(all)
    expect(sent).toEqual([at(11), at(12)])
  })
})
