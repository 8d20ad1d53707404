import type { Contract } from './contract.ts'
import { documentFindings } from './document-findings.ts'
import { type Finding, schemaFindings } from './schema-findings.ts'

export type { Finding } from './schema-findings.ts'

/**
 * Every change from the released contract to `current` that would break a producer or a consumer
 * of a version released before: none means `current` may be released as it is. A data version
 * removed is one (its events may still be in a topic, a dead-letter topic or a replay); a new one
 * is not (nobody uses it yet).
 */
export async function checkCompatibility(released: Contract, current: Contract): Promise<Finding[]> {
  const findings = await documentFindings(released.asyncapi, current.asyncapi)
  for (const [file, schema] of Object.entries(released.schemas)) {
    const now = current.schemas[file]
    if (now) findings.push(...schemaFindings(`json-schema/${file}`, schema, now))
    else
      findings.push({
        where: `json-schema/${file}`,
        change: 'removed',
        broken: ['released consumers', 'released events'],
        note: 'a released data version is never removed while its events may still be read',
      })
  }
  return findings
}

const WHO = {
  'released consumers': 'a producer built on it may send what consumers of the released contract reject',
  'released events': 'a consumer built on it rejects events the released contract allows',
} as const

/** One line per finding: where, what changed, and why it breaks. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings
    .map(({ where, change, broken, note }) => {
      const why = broken.map((who) => WHO[who]).join('; and ')
      return `- ${where}: ${change}\n    breaks: ${why}${note ? ` (${note})` : ''}`
    })
    .join('\n')
}
