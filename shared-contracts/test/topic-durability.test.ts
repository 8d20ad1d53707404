import { describe, expect, it } from 'vitest'
import { topicDurability, weakerDurability } from '../src/topic-durability.ts'

describe('topicDurability', () => {
  it('asks for three copies and two in sync where the cluster has the brokers for it', () => {
    expect(topicDurability(3)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 })
    expect(topicDurability(5)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 })
  })

  it('asks for no more copies than there are brokers', () => {
    expect(topicDurability(1)).toEqual({ replicationFactor: 1, minInsyncReplicas: 1 })
    expect(topicDurability(2)).toEqual({ replicationFactor: 2, minInsyncReplicas: 2 })
  })

  it('refuses a cluster without brokers', () => {
    expect(() => topicDurability(0)).toThrow(RangeError)
    expect(() => topicDurability(1.5)).toThrow(RangeError)
  })
})

describe('weakerDurability', () => {
  it('names the topic and each weaker setting, one line each', () => {
    expect(weakerDurability('user_register', { replicationFactor: 1, minInsyncReplicas: 1 }, 3)).toEqual([
      'topic user_register: replication factor 1, below 3 (the cluster has 3 brokers)',
      'topic user_register: min.insync.replicas=1, below 2 (an acks=all write is then acknowledged by fewer copies)',
    ])
    expect(weakerDurability('t', { replicationFactor: 3, minInsyncReplicas: 1 }, 3)).toEqual([
      'topic t: min.insync.replicas=1, below 2 (an acks=all write is then acknowledged by fewer copies)',
    ])
  })

  it('says nothing of a topic as strong as the cluster allows, or stronger', () => {
    expect(weakerDurability('t', { replicationFactor: 3, minInsyncReplicas: 2 }, 3)).toEqual([])
    expect(weakerDurability('t', { replicationFactor: 1, minInsyncReplicas: 1 }, 1)).toEqual([])
    expect(weakerDurability('t', { replicationFactor: 3, minInsyncReplicas: 3 }, 3)).toEqual([])
  })
})
