import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type LocalKafka, startKafka } from '../../src/index.ts'

describe('startKafka on a data dir from an earlier version', () => {
  let kafka: LocalKafka | undefined
  let dataDir: string | undefined
  afterAll(async () => {
    await kafka?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('formats the storage even when the kept cluster id begins with "-"', { timeout: 60_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kafka-ref-cluster-id-'))
    // Such ids were generated before: about one fresh data dir in 64 could never start.
    await writeFile(join(dataDir, 'cluster-id'), '-A2Je2c2MHysjbeO-17Yww\n')
    kafka = await startKafka({ dataDir })
    expect(kafka.bootstrapServers).toMatch(/^127\.0\.0\.1:\d+$/)
  })
})
