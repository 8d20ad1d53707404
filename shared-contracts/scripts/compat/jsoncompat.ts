import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { check_compat, initSync } from 'jsoncompat'
import type { Json } from './contract.ts'

/** Who a schema change breaks, in the words of the report. */
export type Broken = 'released consumers' | 'released events'

const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema'
let loaded = false

/** jsoncompat is Rust compiled to WebAssembly: its module is instantiated once, on first use. */
function load() {
  if (loaded) return
  const wasm = createRequire(import.meta.url).resolve('jsoncompat/jsoncompat_wasm_bg.wasm')
  initSync({ module: readFileSync(wasm) })
  loaded = true
}

/**
 * jsoncompat compiles each `pattern` with Rust's regex engine, which refuses what ECMAScript
 * allows (`\ud800`: UTF-16 surrogates, our well-formed-text pattern), and it never compares two
 * different patterns anyway (their languages are not proven to include one another: any change
 * breaks). So each distinct pattern is handed over as an opaque stand-in of its own, the same in
 * both schemas: equal patterns stay equal, different ones stay different, and all compile.
 */
function withOpaquePatterns(schema: unknown, standIns: Map<string, string>): unknown {
  if (Array.isArray(schema)) return schema.map((item) => withOpaquePatterns(item, standIns))
  if (typeof schema !== 'object' || schema === null) return schema
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => {
      if (key !== 'pattern' || typeof value !== 'string') return [key, withOpaquePatterns(value, standIns)]
      if (!standIns.has(value)) standIns.set(value, `^pattern-${standIns.size}$`)
      return [key, standIns.get(value)]
    }),
  )
}

/**
 * jsoncompat reads draft 2020-12 only. The AsyncAPI document's schemas are draft-07, and ours use
 * only keywords that mean the same in both (no tuple `items`, `definitions` or `dependencies`,
 * which jsoncompat would refuse rather than misread), so only the dialect is restated.
 */
function prepared(before: Json, after: Json): [string, string] {
  const standIns = new Map<string, string>()
  const draft2020 = (schema: Json) =>
    JSON.stringify({ ...(withOpaquePatterns(schema, standIns) as Json), $schema: DRAFT_2020_12 })
  return [draft2020(before), draft2020(after)]
}

/**
 * What jsoncompat says the change from `before` to `after` breaks, for each of its two roles:
 * - as a serializer's schema (a producer): it breaks if a value valid now was invalid before, i.e.
 *   a producer built on it may send what consumers of the released contract reject;
 * - as a deserializer's schema (a consumer): it breaks if a value valid before is invalid now, i.e.
 *   a consumer built on it rejects events the released contract allowed (from producers not yet
 *   upgraded, or already in the topic, or re-driven from its dead-letter topic).
 * jsoncompat assumes a serializer sends no undeclared property, so adding an optional one breaks
 * neither. A schema it cannot compare counts as breaking both: the check fails closed.
 */
export function jsoncompatBreaks(before: Json, after: Json): { broken: Broken[]; error?: string } {
  load()
  const [old, next] = prepared(before, after)
  try {
    const broken: Broken[] = []
    if (!check_compat(old, next, 'serializer')) broken.push('released consumers')
    if (!check_compat(old, next, 'deserializer')) broken.push('released events')
    return { broken }
  } catch (error) {
    return { broken: ['released consumers', 'released events'], error: String(error) }
  }
}
