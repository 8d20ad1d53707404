import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BASELINE_DIR, type Json } from '../../scripts/compat/contract.ts'
import { type Finding, schemaFindings } from '../../scripts/compat/schema-findings.ts'
import { packageRoot } from '../../scripts/files.ts'

// The released v1 schema itself (draft 2020-12, as other languages read it), edited the way a
// team might edit it: what the differ classifies is checked on the real contract.
const released = JSON.parse(
  await readFile(join(packageRoot, BASELINE_DIR, 'json-schema', 'user_register.v1.json'), 'utf8'),
) as Json

// biome-ignore lint/suspicious/noExplicitAny: a JSON Schema edited by path in each test
type Schema = any
function edited(edit: (schema: Schema, data: Schema) => void): Json {
  const schema: Schema = structuredClone(released)
  edit(schema, schema.properties.data!)
  return schema
}

const findings = (after: Json, before: Json = released) =>
  schemaFindings('user_register.v1.json', before, after)
/** What each finding names and whom it breaks, for one-line assertions. */
const summary = (list: Finding[]) =>
  list.map(({ change, broken }) => [change.split(' ').slice(0, 2).join(' '), broken])

// jsoncompat runs as WebAssembly, a few hundred milliseconds per comparison on a busy machine.
describe('schemaFindings on the released user_register v1 schema', { timeout: 60_000 }, () => {
  it('passes an unchanged schema and a change of documentation only', () => {
    expect(findings(released)).toEqual([])
    expect(findings(edited((_, data) => Object.assign(data, { description: 'The user.' })))).toEqual([])
  })

  it('passes a new optional field: released consumers ignore it, released events lack it', () => {
    const after = edited((_, data) => {
      data.properties.nickname = { type: 'string', maxLength: 32 }
    })
    expect(findings(after)).toEqual([])
  })

  it('fails a removed field: producers may leave it out, and consumers that read it get nothing', () => {
    const after = edited((_, data) => {
      delete data.properties.username
      data.required = data.required.filter((name: string) => name !== 'username')
    })
    expect(summary(findings(after))).toEqual([
      ['remove /properties/data/properties/username', ['released consumers']],
      ['edit /properties/data/required', ['released consumers']],
    ])
  })

  it('fails a removed optional field too: a producer may send anything under its name', () => {
    const after = edited((_, data) => {
      delete data.properties.displayName
    })
    expect(summary(findings(after))).toEqual([
      ['remove /properties/data/properties/displayName', ['released consumers']],
    ])
  })

  it('fails a new required field: released events do not have it', () => {
    const after = edited((_, data) => {
      data.properties.locale = { type: 'string' }
      data.required = [...data.required, 'locale']
    })
    expect(summary(findings(after))).toEqual([['edit /properties/data/required', ['released events']]])
  })

  it('fails a narrowed limit, and a widened one (released consumers reject the longer values)', () => {
    const limit = (maxLength: number) =>
      edited((_, data) => Object.assign(data.properties.displayName!, { maxLength }))
    expect(summary(findings(limit(32)))).toEqual([
      ['edit /properties/data/properties/displayName/maxLength', ['released events']],
    ])
    expect(summary(findings(limit(128)))).toEqual([
      ['edit /properties/data/properties/displayName/maxLength', ['released consumers']],
    ])
  })

  it('fails a changed type, and a narrowed one (number to integer)', () => {
    const retyped = edited((_, data) => {
      data.properties.registeredAt = { type: 'integer' }
    })
    expect(summary(findings(retyped))).toEqual([
      ['edit /properties/data/properties/registeredAt/type', ['released consumers', 'released events']],
      ['remove /properties/data/properties/registeredAt/format', ['released consumers']],
      ['remove /properties/data/properties/registeredAt/pattern', ['released consumers']],
    ])
    const scored = (type: string) => edited((_, data) => Object.assign(data.properties, { score: { type } }))
    expect(summary(findings(scored('integer'), scored('number')))).toEqual([
      ['edit /properties/data/properties/score/type', ['released events']],
    ])
  })

  it('fails a format added or changed, though jsoncompat ignores formats', () => {
    const added = edited((schema) => Object.assign(schema.properties.correlationid!, { format: 'uuid' }))
    expect(findings(added)).toEqual([
      expect.objectContaining({
        change: 'add /properties/correlationid/format "uuid"',
        broken: ['released events'],
        note: expect.stringContaining('jsoncompat ignores `format`'),
      }),
    ])
    const changed = edited((_, data) => Object.assign(data.properties.email!, { format: 'idn-email' }))
    expect(summary(findings(changed))).toEqual([
      ['edit /properties/data/properties/email/format', ['released consumers', 'released events']],
    ])
  })

  it('fails a narrowed enum, and a widened one', () => {
    const status = (values: string[]) =>
      edited((_, data) => Object.assign(data.properties, { status: { type: 'string', enum: values } }))
    expect(summary(findings(status(['active']), status(['active', 'invited'])))).toEqual([
      ['edit /properties/data/properties/status/enum', ['released events']],
    ])
    expect(summary(findings(status(['active', 'invited', 'banned']), status(['active', 'invited'])))).toEqual(
      [['edit /properties/data/properties/status/enum', ['released consumers']]],
    )
  })

  it('fails any changed pattern: jsoncompat cannot compare regular expressions, so it says breaking', () => {
    const after = edited((_, data) =>
      Object.assign(data.properties.username!, { pattern: '^[a-z0-9_]{3,32}$' }),
    )
    expect(findings(after)).toEqual([
      expect.objectContaining({
        broken: ['released consumers', 'released events'],
        note: expect.stringContaining('cannot compare regular expressions'),
      }),
    ])
  })

  it('compares schemas whose patterns the Rust regex engine refuses (the well-formed-text pattern)', () => {
    const source = (released as Schema).properties.source
    expect(JSON.stringify(source)).toContain('\\\\ud800')
    const widened = edited((schema) => Object.assign(schema.properties.source!, { maxLength: 512 }))
    // Compared for real: no "could not compare" note, the one change and whom it breaks.
    expect(findings(widened)).toEqual([
      {
        where: 'user_register.v1.json',
        change: 'edit /properties/source/maxLength 256 -> 512',
        broken: ['released consumers'],
      },
    ])
  })
})
