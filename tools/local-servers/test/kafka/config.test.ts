import { describe, expect, it } from 'vitest'
import {
  type NodeSpec,
  quorumVoters,
  replicationProperties,
  serverProperties,
} from '../../src/kafka/config.ts'

const node = (id: number): NodeSpec => ({
  id,
  dataDir: `/data/node${id}`,
  ports: { port: 9090 + 2 * id, controllerPort: 9091 + 2 * id },
})

function parse(properties: string): Record<string, string> {
  return Object.fromEntries(
    properties
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  )
}

describe('the local cluster configuration', () => {
  const cluster = [node(1), node(2), node(3)]

  it('makes every node a broker and a voter of one static quorum, on its own ports and folder', () => {
    expect(quorumVoters(cluster)).toBe('1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097')
    const second = parse(serverProperties(cluster[1]!, cluster))
    expect(second).toMatchObject({
      'node.id': '2',
      'process.roles': 'broker,controller',
      listeners: 'PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:9094',
      'controller.quorum.voters': '1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097',
      'log.dirs': '/data/node2/logs',
    })
  })

  it("leaves Kafka's defaults for the internal topics on three brokers, and asks for 3 copies, 2 in sync", () => {
    const props = parse(serverProperties(cluster[0]!, cluster))
    expect(Object.keys(props).filter((key) => /^(offsets|transaction|share)\./.test(key))).toEqual([])
    expect(props).toMatchObject({ 'default.replication.factor': '3', 'min.insync.replicas': '2' })
  })

  it('replicates the internal topics only as far as one or two brokers allow', () => {
    expect(replicationProperties(1)).toEqual({
      'default.replication.factor': 1,
      'min.insync.replicas': 1,
      'offsets.topic.replication.factor': 1,
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
      'share.coordinator.state.topic.replication.factor': 1,
      'share.coordinator.state.topic.min.isr': 1,
    })
    expect(replicationProperties(2)).toMatchObject({
      'offsets.topic.replication.factor': 2,
      'transaction.state.log.min.isr': 2,
    })
  })

  it('fences a crashed node after 3 s of missed heartbeats', () => {
    expect(parse(serverProperties(cluster[0]!, cluster))).toMatchObject({
      'broker.heartbeat.interval.ms': '1000',
      'broker.session.timeout.ms': '3000',
    })
  })
})
