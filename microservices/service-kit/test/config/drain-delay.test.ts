import { markedDownWithinMs } from '@kafka-ref/system'
import { expect, it } from 'vitest'
import { z } from 'zod'
import { commonConfig, commonEnv } from '../../src/index.ts'

const defaults = () =>
  commonConfig(
    z
      .object(commonEnv({ port: 3000, metricsPort: 0 }))
      .parse({ DATABASE_URL: 'postgres://u:p@db/app', KAFKA_BROKERS: 'k:9092' }),
  )

it('drains by default for twice the time the balancer takes to take an instance out', () => {
  // markedDownWithinMs counts answered checks only: twice that leaves room for slow ones.
  expect(defaults().shutdownDrainDelayMs).toBeGreaterThanOrEqual(2 * markedDownWithinMs())
})
