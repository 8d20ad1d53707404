import { type Change, describeChange, schemaChanges, withChange } from './changes.ts'
import type { Json } from './contract.ts'
import { type Broken, jsoncompatBreaks } from './jsoncompat.ts'

/** A change that breaks someone, and why. */
export interface Finding {
  /** Which artefact: a schema file, or a place in the AsyncAPI document. */
  where: string
  /** What changed, e.g. `edit /properties/data/properties/displayName/maxLength 64 -> 32`. */
  change: string
  broken: Broken[]
  /** Why the differ decided so, when it is not the plain subset rule. */
  note?: string
}

const isFormat = (pointer: string) => /(^|\/)format$/.test(pointer) && !/\/properties\/format$/.test(pointer)

/**
 * jsoncompat (like JSON Schema 2020-12 itself) treats `format` as an annotation. Our readers
 * assert it (zod does; so does any validator with format assertion on): a format added or
 * changed rejects values the released contract allowed, one removed or changed lets producers
 * send what released consumers reject. The narrowest rule that says so, and nothing more.
 */
function formatBreaks(change: Change): Broken[] {
  if (!isFormat(change.pointer)) return []
  const broken: Broken[] = []
  if (Object.hasOwn(change, 'before')) broken.push('released consumers')
  if (Object.hasOwn(change, 'after')) broken.push('released events')
  return broken
}

const FORMAT_NOTE = 'jsoncompat ignores `format`; our readers assert it (see formatBreaks)'
const PATTERN_NOTE = 'jsoncompat cannot compare regular expressions: any change of a pattern breaks'

function noteFor(change: Change, error?: string): string | undefined {
  if (error) return `jsoncompat could not compare it (${error}): counted as breaking`
  if (isFormat(change.pointer)) return FORMAT_NOTE
  if (/(^|\/)pattern$/.test(change.pointer)) return PATTERN_NOTE
  return undefined
}

const union = (a: Broken[], b: Broken[]) => [...new Set([...a, ...b])]

/**
 * The breaking changes from the released schema `before` to `after`. jsoncompat judges the whole
 * schema (plus the format rule); when it breaks, each change is asked about alone, so the report
 * names the ones that break and whom. If none breaks alone, the combination does: all are listed.
 */
export function schemaFindings(where: string, before: Json, after: Json): Finding[] {
  const changes = schemaChanges(before, after)
  if (changes.length === 0) return []
  const whole = jsoncompatBreaks(before, after)
  const broken = union(whole.broken, changes.flatMap(formatBreaks))
  if (broken.length === 0) return []

  const findings: Finding[] = []
  for (const change of changes) {
    const alone = jsoncompatBreaks(before, withChange(before, change))
    const brokenAlone = union(alone.broken, formatBreaks(change))
    if (brokenAlone.length === 0) continue
    const note = noteFor(change, alone.error)
    findings.push({ where, change: describeChange(change), broken: brokenAlone, ...(note && { note }) })
  }
  if (findings.length > 0) return findings
  return [
    {
      where,
      change: changes.map(describeChange).join('; '),
      broken,
      note: whole.error ? `jsoncompat could not compare it (${whole.error})` : 'these changes together',
    },
  ]
}
