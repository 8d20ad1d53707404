import { useHarness, useKafkaCluster } from '@kafka-ref/testkit'
import { describe, it } from 'vitest'
import { coordinatorFailover } from './kafka-cluster/coordinator-failover.ts'
import { leaderFailover } from './kafka-cluster/leader-failover.ts'
import { provisioning } from './kafka-cluster/provisioning.ts'
import { rollingRestart } from './kafka-cluster/rolling-restart.ts'
import { twoBrokersDown } from './kafka-cluster/two-brokers-down.ts'

// One three-node cluster for every test here (started once: three JVMs take a while on two cores);
// each test has its own topics and databases, and starts with every node up.
describe('the system on a three-broker cluster', () => {
  const harness = useHarness()
  const cluster = useKafkaCluster(3)

  it('topics get 3 copies and 2 in sync; a weaker topic is named at start', { timeout: 120_000 }, () =>
    provisioning(harness, cluster()),
  )

  it('3a: a partition leader killed -9 under steady registrations', { timeout: 240_000 }, () =>
    leaderFailover(harness, cluster()),
  )

  it('3b: two of three brokers down, then one back', { timeout: 240_000 }, () =>
    twoBrokersDown(harness, cluster()),
  )

  it('3c: a rolling restart under steady registrations', { timeout: 300_000 }, () =>
    rollingRestart(harness, cluster()),
  )

  it('3d: the group coordinator killed -9', { timeout: 240_000 }, () =>
    coordinatorFailover(harness, cluster()),
  )
})
