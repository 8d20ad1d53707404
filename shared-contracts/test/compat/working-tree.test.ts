import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { checkCompatibility, formatFindings } from '../../scripts/compat/check.ts'
import { BASELINE_DIR, type Contract, readContract } from '../../scripts/compat/contract.ts'
import { packageRoot } from '../../scripts/files.ts'
import { envelopeOf } from '../../src/events/envelope.ts'
import { UserRegisterDataV2 } from '../../src/events/user-register.ts'
import { eventJsonSchema } from '../../src/to-json-schema.ts'

const [released, current] = await Promise.all([
  readContract(join(packageRoot, BASELINE_DIR)),
  readContract(packageRoot),
])

/** The working tree's contract with its v2 JSON Schema generated from an edited zod schema. */
function withV2Data(data: z.ZodType): Contract {
  const schema = eventJsonSchema('user_register', 2, envelopeOf('user_register', 2, data))
  return { ...current, schemas: { ...current.schemas, 'user_register.v2.json': schema } }
}

describe('the working tree contract', { timeout: 120_000 }, () => {
  // This is the check in `pnpm test`: an edit that breaks a released version fails here, with
  // what changed and why, until it is made a new version (or released deliberately).
  it('breaks no producer or consumer of the released contract (baseline/)', async () => {
    const findings = await checkCompatibility(released, current)
    expect(findings, `breaking changes against ${BASELINE_DIR}/:\n${formatFindings(findings)}`).toEqual([])
  })

  it('has released every data version it has', () => {
    expect(Object.keys(released.schemas).sort()).toEqual(Object.keys(current.schemas).sort())
  })

  it('would fail a deliberately breaking edit of a released version, saying what and why', async () => {
    // A team relaxes v2's locale to optional: v2 consumers written to rely on it would get none.
    const findings = await checkCompatibility(
      released,
      withV2Data(UserRegisterDataV2.partial({ locale: true })),
    )
    expect(findings).toEqual([
      {
        where: 'json-schema/user_register.v2.json',
        change:
          'edit /properties/data/required ["userId","email","username","registeredAt","locale"] -> ["userId","email","username","registeredAt"]',
        broken: ['released consumers'],
      },
    ])
    expect(formatFindings(findings)).toContain(
      'breaks: a producer built on it may send what consumers of the released contract reject',
    )
  })

  it('would pass an additive edit: a new optional field', async () => {
    const findings = await checkCompatibility(
      released,
      withV2Data(UserRegisterDataV2.extend({ timeZone: z.string().max(64).optional() })),
    )
    expect(findings).toEqual([])
  })
})
