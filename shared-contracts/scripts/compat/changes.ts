import { isDeepStrictEqual } from 'node:util'
import type { Json } from './contract.ts'

/** One change between two JSON values, located by a JSON Pointer; absent `before`/`after` = added/removed. */
export interface Change {
  pointer: string
  before?: unknown
  after?: unknown
}

/** Keywords that only document: a change to them changes no message a reader accepts. */
const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'examples', '$comment', 'default'])

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const pointerSegment = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1')

/**
 * Where two schemas differ, annotations aside. Written here rather than taken from a JSON Patch
 * library: those diff arrays index by index, so removing `username` from `required` reads as
 * "replace /required/2, remove /required/3"; here an array (`required`, `enum`, `type`, `allOf`)
 * is one value, reported whole, and a property name that happens to be a keyword (`properties.title`)
 * is still compared.
 */
export function schemaChanges(before: unknown, after: unknown, pointer = '', inProperties = false): Change[] {
  if (isDeepStrictEqual(before, after)) return []
  if (!isObject(before) || !isObject(after)) return [{ pointer, before, after }]
  const changes: Change[] = []
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!inProperties && ANNOTATIONS.has(key)) continue
    const at = `${pointer}/${pointerSegment(key)}`
    if (!Object.hasOwn(after, key)) changes.push({ pointer: at, before: before[key] })
    else if (!Object.hasOwn(before, key)) changes.push({ pointer: at, after: after[key] })
    else changes.push(...schemaChanges(before[key], after[key], at, !inProperties && isPropertyMap(key)))
  }
  return changes
}

/** Keywords whose value maps names to schemas (the names are data, not keywords). */
const isPropertyMap = (key: string) => key === 'properties' || key === '$defs' || key === 'patternProperties'

/** `schema` with one change applied (a copy): to ask the differ about that change alone. */
export function withChange(schema: Json, change: Change): Json {
  const copy = structuredClone(schema)
  const keys = change.pointer
    .split('/')
    .slice(1)
    .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'))
  const last = keys.pop()
  if (last === undefined) return (change.after ?? {}) as Json
  let parent: Json = copy
  for (const key of keys) parent = parent[key] as Json
  if (Object.hasOwn(change, 'after')) parent[last] = change.after
  else delete parent[last]
  return copy
}

const show = (value: unknown) => {
  const text = JSON.stringify(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

/** `add /properties/x {"type":"string"}`, `remove ...`, `edit /maxLength 64 -> 32`. */
export function describeChange({ pointer, ...change }: Change): string {
  if (!Object.hasOwn(change, 'before')) return `add ${pointer || '/'} ${show(change.after)}`
  if (!Object.hasOwn(change, 'after')) return `remove ${pointer || '/'} (was ${show(change.before)})`
  return `edit ${pointer || '/'} ${show(change.before)} -> ${show(change.after)}`
}
