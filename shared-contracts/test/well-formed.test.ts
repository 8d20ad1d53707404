import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { decode } from '../src/codec/codec.ts'
import { UserRegisterEventV1 } from '../src/events/user-register.ts'
import { Text, WELL_FORMED_PATTERN } from '../src/fields.ts'
import { ProfileResponse } from '../src/http/profile.ts'
import { PublicUserResponse, RegisterUserRequest, RegisterUserResponse } from '../src/http/user.ts'
import { TIME, TRACEPARENT, TRACESTATE, USER_ID, userData, userRegisterEvent } from './support/events.ts'

const LONE_HIGH = '\ud800'
const LONE_LOW = '\udc00'

/** Every string in `value` with its path, so no field can be forgotten. */
function stringLeaves(value: unknown, path: PropertyKey[] = []): Array<[PropertyKey[], string]> {
  if (typeof value === 'string') return [[path, value]]
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([key, child]) => stringLeaves(child, [...path, key]))
}

function withLeaf(value: unknown, path: PropertyKey[], leaf: string): unknown {
  if (path.length === 0) return leaf
  const [head, ...rest] = path
  const copy = { ...(value as Record<PropertyKey, unknown>) }
  copy[head!] = withLeaf(copy[head!], rest, leaf)
  return copy
}

/** Each payload with every optional string field set, valid as it is. */
const payloads: Array<[string, z.ZodType, unknown]> = [
  [
    'user_register v1',
    UserRegisterEventV1,
    userRegisterEvent({
      traceparent: TRACEPARENT,
      tracestate: TRACESTATE,
      data: userData({ displayName: 'Ada Lovelace' }),
    }),
  ],
  [
    'RegisterUserRequest',
    RegisterUserRequest,
    {
      email: 'ada@example.com',
      username: 'ada_lovelace',
      password: 'correct horse battery',
      displayName: 'Ada',
    },
  ],
  [
    'PublicUserResponse',
    PublicUserResponse,
    { id: USER_ID, username: 'ada', displayName: 'Ada', createdAt: TIME },
  ],
  [
    'RegisterUserResponse',
    RegisterUserResponse,
    { id: USER_ID, username: 'ada', displayName: 'Ada', createdAt: TIME, email: 'ada@example.com' },
  ],
  [
    'ProfileResponse',
    ProfileResponse,
    { userId: USER_ID, username: 'ada', displayName: 'Ada', locale: 'en-GB', createdAt: TIME },
  ],
]

describe('well-formed text', () => {
  it.each(payloads)('%s: the sample is valid as it is', (_, schema, payload) => {
    expect(schema.safeParse(payload).error).toBeUndefined()
  })

  const cases = payloads.flatMap(([name, schema, payload]) =>
    stringLeaves(payload).flatMap(([path, value]) => [
      [
        `${name} ${path.join('.')}`,
        'ending in a lone high surrogate',
        schema,
        payload,
        path,
        value + LONE_HIGH,
      ],
      [
        `${name} ${path.join('.')}`,
        'starting with a lone low surrogate',
        schema,
        payload,
        path,
        LONE_LOW + value,
      ],
    ]),
  ) as Array<[string, string, z.ZodType, unknown, PropertyKey[], string]>

  it.each(cases)('%s is refused %s, at its path', (_, __, schema, payload, path, bad) => {
    const result = schema.safeParse(withLeaf(payload, path, bad))
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((issue) => issue.path)).toContainEqual(path)
  })

  it('says why in plain words', () => {
    expect(Text.safeParse(`Ada${LONE_HIGH}`).error?.issues[0]?.message).toMatch(/lone UTF-16 surrogate/)
  })

  it('accepts characters outside the basic plane (a surrogate pair), and reversed pairs nowhere', () => {
    expect(Text.parse('Ada 🧮 Lovelace')).toBe('Ada 🧮 Lovelace')
    expect(Text.safeParse('\udc00\ud800').success).toBe(false)
  })

  it('matches String.prototype.isWellFormed, with the u flag or without (as other validators read it)', () => {
    const unicode = new RegExp(WELL_FORMED_PATTERN.source, 'u')
    const samples = [
      '',
      'ascii',
      'é',
      '🧮',
      `a${LONE_HIGH}`,
      `${LONE_LOW}a`,
      `${LONE_HIGH}${LONE_HIGH}`,
      '\ud83e\uddee',
    ]
    for (const sample of samples) {
      const expected = (sample as unknown as { isWellFormed(): boolean }).isWellFormed()
      expect(WELL_FORMED_PATTERN.test(sample), JSON.stringify(sample)).toBe(expected)
      expect(unicode.test(sample), JSON.stringify(sample)).toBe(expected)
    }
  })

  it('makes decode() refuse an event spelling a lone surrogate as a JSON escape', () => {
    const value = JSON.stringify(userRegisterEvent({ data: userData({ displayName: `Ada${LONE_HIGH}` }) }))
    expect(value).toContain('Ada\\ud800')
    const result = decode({ value: new TextEncoder().encode(value) })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.reason).toBe('schema_violation')
    expect(result.error.issues.map((issue) => issue.path)).toContainEqual(['data', 'displayName'])
  })
})
