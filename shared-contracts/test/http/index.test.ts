import { describe, expect, it } from 'vitest'
import * as fields from '../../src/fields.ts'
import * as http from '../../src/http/index.ts'
import * as problem from '../../src/http/problem.ts'
import * as profile from '../../src/http/profile.ts'
import * as user from '../../src/http/user.ts'

describe('the ./http entry point', () => {
  it('re-exports the HTTP schemas and the field schemas they use', () => {
    expect({ ...http }).toEqual({ ...fields, ...problem, ...profile, ...user })
  })

  it('leaves out the Kafka codec', () => {
    expect(http).not.toHaveProperty('decode')
    expect(http).not.toHaveProperty('EventRegistry')
  })
})
