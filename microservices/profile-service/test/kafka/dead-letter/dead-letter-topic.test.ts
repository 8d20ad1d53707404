import { LogCapture } from '@kafka-ref/testkit'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { DeadLetterTopicCheck } from '../../../src/kafka/dead-letter/dead-letter-topic.ts'

const TOPIC = 'ns.user_register_dlq'

/** A check whose broker answers from `answers` (true: exists, false: missing, an Error: cannot tell). */
function checkWith(answers: Array<boolean | Error>) {
  const logs = new LogCapture()
  const check = new DeadLetterTopicCheck({
    topic: TOPIC,
    exists: async () => {
      const answer = answers.shift() ?? true
      if (answer instanceof Error) throw answer
      return answer
    },
    log: pino({ level: 'debug' }, logs.stream),
  })
  const lines = () => logs.lines.map((line) => JSON.parse(line) as { level: number; msg: string })
  return { check, lines }
}

describe('DeadLetterTopicCheck', () => {
  it('says missing once per change, at error, naming the topic; and when it exists again', async () => {
    const { check, lines } = checkWith([false, false, true])
    expect(check.state).toBe('unchecked')
    await check.check()
    await check.check()
    expect(check.state).toBe('missing')
    await check.check()
    expect(check.state).toBe('present')
    expect(lines().map(({ level, msg }) => [level, msg])).toEqual([
      [
        50,
        `dead-letter topic ${TOPIC} does not exist: a message that must be dead-lettered will hold its partition until it is created`,
      ],
      [30, `dead-letter topic ${TOPIC} exists now`],
    ])
  })

  it('keeps what it knew while the broker cannot tell', async () => {
    const { check } = checkWith([false, new Error('broker down')])
    await check.check()
    await check.check()
    expect(check.state).toBe('missing')
  })

  it('takes an acknowledged publish as proof the topic exists', async () => {
    const { check } = checkWith([false])
    await check.check()
    check.found()
    expect(check.state).toBe('present')
  })

  it('asks one question at a time, and none once stopped', async () => {
    let asked = 0
    const check = new DeadLetterTopicCheck({
      topic: TOPIC,
      exists: async () => {
        asked++
        return true
      },
      log: pino({ level: 'silent' }),
    })
    await Promise.all([check.check(), check.check(), check.check()])
    expect(asked).toBe(1)
    check.stop()
    await check.check()
    expect(asked).toBe(1)
  })
})
