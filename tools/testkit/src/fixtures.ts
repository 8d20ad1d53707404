import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { repoRoot } from '@kafka-ref/local-servers'

/** One golden vector of the shared contracts: a file and whether a decoder must accept it. */
export interface FixtureVector {
  file: string
  ok: boolean
  /** The decode error reason, for a rejected one. */
  reason?: string
  subject?: string
}

const FIXTURES_DIR = join(repoRoot(), 'shared-contracts', 'fixtures')

/** The golden vectors of the shared contracts, with each file's exact bytes. */
export async function fixtureVectors(): Promise<Array<FixtureVector & { bytes: Buffer }>> {
  const manifest = JSON.parse(await readFile(join(FIXTURES_DIR, 'manifest.json'), 'utf8')) as {
    vectors: FixtureVector[]
  }
  return Promise.all(
    manifest.vectors.map(async (vector) => ({
      ...vector,
      bytes: await readFile(join(FIXTURES_DIR, vector.file)),
    })),
  )
}
