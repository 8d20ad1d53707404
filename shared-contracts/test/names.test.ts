import { describe, expect, it } from 'vitest'
import {
  ConsumerGroups,
  DEFAULT_PARTITIONS,
  DeadLetterHeaders,
  EventHeaders,
  EventSources,
  EventTypes,
  namespaced,
  systemTopics,
  Topics,
} from '../src/names.ts'

// Kafka topic names: at most 249 characters of [a-zA-Z0-9._-]; we also forbid `.` (metric clash).
const KAFKA_NAME = /^[a-z0-9_-]{1,249}$/

describe('names', () => {
  it('names each topic after the event type it carries', () => {
    expect(EventTypes.userRegister).toBe('user_register')
    expect(Topics.userRegister).toBe(EventTypes.userRegister)
  })

  it('names the dead-letter topic <topic>_dlq', () => {
    expect(Topics.userRegisterDeadLetter).toBe('user_register_dlq')
  })

  it('uses only legal, dot-free Kafka names for topics and groups', () => {
    for (const name of [...Object.values(Topics), ...Object.values(ConsumerGroups)]) {
      expect(name).toMatch(KAFKA_NAME)
    }
  })

  it('names consumer groups after the consuming service', () => {
    expect(ConsumerGroups.profileService).toBe('profile-service')
    expect(ConsumerGroups.deadLetterRedrive).toBe('profile-service-dlq-redrive')
  })

  it('gives each producer a CloudEvents source path', () => {
    expect(EventSources.userService).toBe('/user-service')
  })

  it('has distinct dlq_-prefixed dead-letter headers', () => {
    const headers = Object.values(DeadLetterHeaders)
    expect(new Set(headers).size).toBe(headers.length)
    for (const header of headers) expect(header).toMatch(/^dlq_[a-z_]+$/)
    expect(DeadLetterHeaders).toEqual({
      reason: 'dlq_reason',
      error: 'dlq_error',
      topic: 'dlq_original_topic',
      partition: 'dlq_original_partition',
      offset: 'dlq_original_offset',
      failedAt: 'dlq_failed_at',
      truncated: 'dlq_truncated',
      originalSize: 'dlq_original_size',
      redriveCount: 'dlq_redrive_count',
    })
  })
})

describe('EventHeaders', () => {
  it('names the headers encode sets: CloudEvents binding names, the correlation id and W3C trace context', () => {
    expect(EventHeaders).toEqual({
      contentType: 'content-type',
      id: 'ce_id',
      type: 'ce_type',
      dataVersion: 'ce_dataversion',
      correlationId: 'correlation_id',
      traceparent: 'traceparent',
      tracestate: 'tracestate',
    })
  })

  it('never collides with a dead-letter header', () => {
    const names = [...Object.values(EventHeaders), ...Object.values(DeadLetterHeaders)]
    expect(new Set(names).size).toBe(names.length)
  })
})

describe('namespaced', () => {
  it('returns the name unchanged without a namespace', () => {
    expect(namespaced(Topics.userRegister)).toBe('user_register')
    expect(namespaced(Topics.userRegister, '')).toBe('user_register')
  })

  it('prefixes topics and groups alike', () => {
    expect(namespaced(Topics.userRegisterDeadLetter, 'staging-')).toBe('staging-user_register_dlq')
    expect(namespaced(ConsumerGroups.profileService, 'test-42-')).toBe('test-42-profile-service')
  })
})

describe('systemTopics', () => {
  it('lists every topic of the system, namespaced, with one partition count', () => {
    expect(systemTopics('staging-', 6)).toEqual({
      userRegister: { name: 'staging-user_register', partitions: 6 },
      userRegisterDeadLetter: { name: 'staging-user_register_dlq', partitions: 6 },
    })
  })

  it('defaults to no namespace and DEFAULT_PARTITIONS', () => {
    const topics = Object.values(systemTopics())
    expect(topics.map((topic) => topic.name)).toEqual(Object.values(Topics))
    expect(topics.every((topic) => topic.partitions === DEFAULT_PARTITIONS)).toBe(true)
    expect(DEFAULT_PARTITIONS).toBe(3)
  })
})
