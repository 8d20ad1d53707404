import { describe, expect, it } from 'vitest'
import { readinessInternals } from '../src/readiness.ts'

describe('readinessInternals', () => {
  it('finds every string that is not a code, at any depth', () => {
    const body = {
      status: 'unavailable',
      checks: {
        database: { ok: false, error: 'check-failed' },
        outbox: { ok: true, backlog: null, relay: { lastSendError: 'Connection to localhost:9092 refused' } },
        consumer: { ok: true, state: 'connecting', partitions: [0, 1], topics: ['user_register'] },
      },
    }
    expect(readinessInternals(body)).toEqual(['Connection to localhost:9092 refused', 'user_register'])
  })

  it('finds none in flags, counts and codes, librdkafka error codes included', () => {
    const body = {
      status: 'ok',
      checks: { database: { ok: true }, consumer: { ok: true, paused: [], lastError: 'ERR__TRANSPORT' } },
    }
    expect(readinessInternals(body)).toEqual([])
  })
})
