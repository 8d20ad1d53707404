import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { listFiles, packageRoot } from '../scripts/files.ts'
import { decode, MAX_EVENT_BYTES } from '../src/codec/codec.ts'
import { DecodeErrorReasons } from '../src/codec/decode-error.ts'
import { upcastUserRegister } from '../src/events/upcast.ts'
import { UserRegisterEventV2 } from '../src/events/user-register.ts'

/** The manifest's own contract, so a typo in it fails loudly instead of skipping a vector. */
const Vector = z.discriminatedUnion('ok', [
  z.strictObject({
    file: z.string(),
    ok: z.literal(true),
    type: z.string(),
    dataversion: z.int(),
    subject: z.string(),
    /** The value the decoded event must carry, or null: it must carry none (an invalid one is dropped). */
    traceparent: z.string().nullable().optional(),
    tracestate: z.string().nullable().optional(),
  }),
  z.strictObject({
    file: z.string(),
    ok: z.literal(false),
    reason: z.enum(Object.values(DecodeErrorReasons)),
    /** JSON Pointer (RFC 6901) of one field a schema_violation must report. */
    pointer: z.string().optional(),
  }),
])
/** An older version's event and the newest version's event it must upcast to (both files decode). */
const Upcast = z.strictObject({ from: z.string(), to: z.string() })
const Manifest = z.object({
  description: z.string(),
  maxBytes: z.int(),
  vectors: z.array(Vector).min(1),
  upcasts: z.array(Upcast).min(1),
})

const dir = join(packageRoot, 'fixtures')
const manifest = Manifest.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')))

async function decodeFile(file: string) {
  const result = decode({ value: new Uint8Array(await readFile(join(dir, file))) })
  if (!result.ok) throw result.error
  return result.event
}

const toPointer = (path: PropertyKey[]) => path.map((segment) => `/${String(segment)}`).join('')

describe('golden fixtures', () => {
  it('list every fixture file exactly once in the manifest', async () => {
    const files = (await listFiles(dir)).filter((file) => file !== 'manifest.json')
    expect(manifest.vectors.map((vector) => vector.file).sort()).toEqual(files)
  })

  it('cover every decode failure reason except oversized (too big to commit)', () => {
    const reasons = new Set(manifest.vectors.flatMap((vector) => (vector.ok ? [] : [vector.reason])))
    const expected = Object.values(DecodeErrorReasons).filter((reason) => reason !== 'oversized')
    expect([...reasons].sort()).toEqual(expected.sort())
  })

  it('show a decoder what to do with a trace context: keep it, or drop an invalid one', () => {
    const traced = manifest.vectors.filter((vector) => vector.ok && vector.traceparent !== undefined)
    expect(
      traced.map((vector) => vector.ok && [vector.traceparent === null, vector.tracestate === null]),
    ).toEqual(
      expect.arrayContaining([
        [false, false],
        [true, true],
        [false, true],
      ]),
    )
  })

  it('state the size limit decoders use', () => {
    expect(manifest.maxBytes).toBe(MAX_EVENT_BYTES)
  })

  it.each(manifest.vectors)('$file decodes as expected', async (vector) => {
    // Raw bytes, as a Kafka message value: the UTF-8 check is part of what is tested.
    const result = decode({ value: new Uint8Array(await readFile(join(dir, vector.file))) })
    if (vector.ok) {
      if (!result.ok) throw result.error
      expect(result.event).toMatchObject({
        type: vector.type,
        dataversion: vector.dataversion,
        subject: vector.subject,
      })
      for (const name of ['traceparent', 'tracestate'] as const) {
        const expected = vector[name]
        if (expected === null) expect(Object.keys(result.event), name).not.toContain(name)
        else if (expected !== undefined) expect(result.event[name], name).toBe(expected)
      }
      return
    }
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.reason).toBe(vector.reason)
    if (vector.pointer !== undefined) {
      expect(result.error.issues.map((issue) => toPointer(issue.path))).toContain(vector.pointer)
    }
  })

  it.each(manifest.upcasts)('$from upcasts to exactly $to', async ({ from, to }) => {
    const [older, newest] = await Promise.all([decodeFile(from), decodeFile(to)])
    expect(older.dataversion).toBeLessThan(newest.dataversion)
    expect(upcastUserRegister(older)).toStrictEqual(newest)
  })

  it('upcast every valid event of an older version to a valid event of the newest', async () => {
    const older = manifest.vectors.filter((vector) => vector.ok && vector.dataversion < 2)
    expect(older.length).toBeGreaterThan(0)
    for (const vector of older) {
      const upcast = upcastUserRegister(await decodeFile(vector.file))
      expect(UserRegisterEventV2.safeParse(upcast).error, vector.file).toBeUndefined()
    }
  })
})
