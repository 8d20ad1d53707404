import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DiagnosticSeverity, Parser } from '@asyncapi/parser'
import { describe, expect, it } from 'vitest'
import { packageRoot, packageVersion } from '../scripts/files.ts'
import { ASYNCAPI_FILE, asyncApiDocument } from '../src/asyncapi.ts'
import { encode } from '../src/codec/codec.ts'
import { DecodeErrorReasons } from '../src/codec/decode-error.ts'
import { EventRegistry } from '../src/events/registry.ts'
import { serializeJsonSchema } from '../src/json-schema.ts'
import { ConsumerGroups, DeadLetterHeaders, Topics } from '../src/names.ts'
import { eventJsonSchema } from '../src/to-json-schema.ts'
import { TRACEPARENT, TRACESTATE, userRegisterEvent } from './support/events.ts'

const REGENERATE = 'pnpm --filter @kafka-ref/shared-contracts contracts:generate'
const version = await packageVersion()
const generated = asyncApiDocument(version)
const parser = new Parser()
const parsed = await parser.parse(serializeJsonSchema(generated))
const document = parsed.document

type Schema = { properties?: Record<string, unknown>; required?: string[] }
const components = generated.components as {
  messages: Record<string, { headers: { schema: Schema }; payload: { schemaFormat: string; schema: Schema } }>
}

describe('asyncApiDocument', () => {
  it('is a valid AsyncAPI 3.0 document for the official parser', () => {
    expect(parsed.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error)).toEqual([])
    expect(document).toBeDefined()
    expect(document?.version()).toBe('3.0.0')
  })

  it('leaves only the hint that AsyncAPI 3.1 exists: 3.0 is what every AsyncAPI 3 tool reads', () => {
    expect(parsed.diagnostics.map((d) => [DiagnosticSeverity[d.severity], d.code])).toEqual([
      ['Information', 'asyncapi-latest-version'],
    ])
  })

  // A full parse with every rule of the official ruleset: about 1 s on a quiet machine (2.2 s seen
  // in CI), several under load, so vitest's 5 s default would race the machine.
  it('is checked for real: the parser reports a broken schema and a broken binding', {
    timeout: 60_000,
  }, async () => {
    const broken = structuredClone(generated) as typeof generated & {
      components: { messages: { userRegisterV1: { payload: { schema: { properties: { id: object } } } } } }
      operations: { receiveUserRegister: { bindings: { kafka: { groupId: unknown } } } }
    }
    broken.components.messages.userRegisterV1.payload.schema.properties.id = { type: 'strin' }
    broken.operations.receiveUserRegister.bindings.kafka.groupId = 'profile-service'
    const { diagnostics } = await parser.parse(serializeJsonSchema(broken))
    const errors = diagnostics
      .filter((d) => d.severity === DiagnosticSeverity.Error)
      .map((d) => d.path.join('.'))
    expect(errors).toContain('components.messages.userRegisterV1.payload.schema.properties.id.type')
    expect(errors).toContain('operations.receiveUserRegister.bindings.kafka.groupId')
  })

  it('names the channels after Topics', () => {
    expect(
      document
        ?.channels()
        .all()
        .map((channel) => channel.address()),
    ).toEqual([Topics.userRegister, Topics.userRegisterDeadLetter])
  })

  it('says who sends and who receives on which channel, with the consumer group', () => {
    const operations = document?.operations().all() ?? []
    expect(
      operations.map((operation) => [
        operation.action(),
        operation.channels().all()[0]?.address(),
        operation.tags().all()[0]?.name(),
      ]),
    ).toEqual([
      ['send', Topics.userRegister, 'user-service'],
      ['receive', Topics.userRegister, 'profile-service'],
      ['send', Topics.userRegisterDeadLetter, 'profile-service'],
    ])
    const receive = operations.find((operation) => operation.action() === 'receive')
    expect(receive?.bindings().get('kafka')?.value()).toMatchObject({
      groupId: { type: 'string', enum: [ConsumerGroups.profileService] },
    })
  })

  it('has one message per registered data version, whose payload is the event JSON Schema (draft-07)', () => {
    const versions = Object.entries(EventRegistry[Topics.userRegister])
    expect(Object.keys(components.messages).sort()).toEqual(
      [...versions.map(([v]) => `userRegisterV${v}`), 'userRegisterDeadLetter'].sort(),
    )
    for (const [v, schema] of versions) {
      expect(components.messages[`userRegisterV${v}`]?.payload).toEqual({
        schemaFormat: 'application/schema+json;version=draft-07',
        schema: eventJsonSchema(Topics.userRegister, Number(v), schema, 'draft-07'),
      })
    }
  })

  it('keys user_register by user id, as a string', () => {
    const message = document
      ?.messages()
      .all()
      .find((m) => m.id() === 'userRegisterV1')
    expect(message?.bindings().get('kafka')?.value()).toMatchObject({
      key: { type: 'string', format: 'uuid' },
    })
  })

  it('documents every header encode sets, requiring those it always sets', () => {
    const headers = components.messages.userRegisterV1?.headers.schema
    const untraced = encode(userRegisterEvent()).headers
    const traced = encode(userRegisterEvent({ traceparent: TRACEPARENT, tracestate: TRACESTATE })).headers
    expect(Object.keys(headers?.properties ?? {}).sort()).toEqual(Object.keys(traced).sort())
    expect([...(headers?.required ?? [])].sort()).toEqual(Object.keys(untraced).sort())
  })

  it('documents the dead-letter headers, keeping the original headers', () => {
    const headers = components.messages.userRegisterDeadLetter?.headers.schema
    // Only on a cut-down copy, or on a message re-driven before.
    const onlyWhenCut: string[] = [
      DeadLetterHeaders.truncated,
      DeadLetterHeaders.originalSize,
      DeadLetterHeaders.redriveCount,
    ]
    expect(Object.keys(headers?.properties ?? {}).sort()).toEqual(Object.values(DeadLetterHeaders).sort())
    expect([...(headers?.required ?? [])].sort()).toEqual(
      Object.values(DeadLetterHeaders)
        .filter((name) => !onlyWhenCut.includes(name))
        .sort(),
    )
  })

  it('lists every dead-letter reason: each decode failure, and an event the database refuses', () => {
    const reason = components.messages.userRegisterDeadLetter?.headers.schema.properties?.[
      DeadLetterHeaders.reason
    ] as { enum?: string[] }
    expect([...(reason.enum ?? [])].sort()).toEqual(
      [...Object.values(DecodeErrorReasons), 'rejected_by_database'].sort(),
    )
  })
})

describe('committed AsyncAPI document', () => {
  it(`matches the zod schemas (if not, run: ${REGENERATE})`, async () => {
    const text = await readFile(join(packageRoot, ASYNCAPI_FILE), 'utf8')
    expect(text, `${ASYNCAPI_FILE} is stale; run: ${REGENERATE}`).toBe(serializeJsonSchema(generated))
  })
})
