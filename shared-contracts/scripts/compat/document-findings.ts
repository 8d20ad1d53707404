import { type DiffOutputItem, diff } from '@asyncapi/diff'
import { Parser } from '@asyncapi/parser'
import type { Json } from './contract.ts'
import { type Finding, schemaFindings } from './schema-findings.ts'

const parser = new Parser()

/** Drops what the parser adds (`x-parser-schema-id` and the like: its own numbering). */
function withoutParserFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutParserFields)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('x-parser-'))
      .map(([key, entry]) => [key, withoutParserFields(entry)]),
  )
}

/** The document with every `$ref` resolved, as @asyncapi/diff requires, by the official parser. */
async function dereferenced(document: Json): Promise<Json> {
  const { document: parsed, diagnostics } = await parser.parse(JSON.stringify(document))
  if (!parsed)
    throw new Error(`AsyncAPI document does not parse: ${diagnostics.map((d) => d.message).join('; ')}`)
  return withoutParserFields(parsed.json()) as Json
}

/**
 * Where a schema sits in a channel's message: these are compared by jsoncompat, which knows what
 * a schema accepts (@asyncapi/diff leaves every change inside one unclassified).
 */
const SCHEMA_PLACES = ['payload/schema', 'headers/schema', 'bindings/kafka/key'] as const
const SCHEMA_PATH = /^\/channels\/[^/]+\/messages\/[^/]+\/(payload|headers|bindings\/kafka\/key)(\/|$)/

/**
 * Dereferenced, every message also appears under `components` and inside each operation (its
 * channel, its messages): the same change, reported again. The channels are where it counts once;
 * an operation's own fields (action, its list of messages) are still compared.
 */
const COPY_PATH = /^\/components\/|^\/operations\/[^/]+\/channel\/|^\/operations\/[^/]+\/messages\/[^/]+\//

function at(document: Json, path: string): Json | undefined {
  let node: unknown = document
  for (const key of path.split('/')) node = (node as Json | undefined)?.[key]
  return node as Json | undefined
}

/** Schema changes of each message the released document has on each of its channels. */
function messageSchemaFindings(before: Json, after: Json): Finding[] {
  const findings: Finding[] = []
  for (const [channel, { messages = {} }] of Object.entries(before.channels as Record<string, Json>)) {
    for (const [name, message] of Object.entries(messages as Record<string, Json>)) {
      const next = at(after, `channels/${channel}/messages/${name}`)
      if (!next) continue // its removal is @asyncapi/diff's to report
      for (const place of SCHEMA_PLACES) {
        const [old, now] = [at(message, place), at(next, place)]
        const where = `asyncapi channels.${channel}.messages.${name} ${place.replaceAll('/', '.')}`
        if (old && now) findings.push(...schemaFindings(where, old, now))
        else if (old) findings.push({ where, change: 'removed', broken: ['released consumers'] })
      }
    }
  }
  return findings
}

/**
 * The AsyncAPI document's breaking changes: the structure (channels and their addresses,
 * operations and their actions, the messages on each channel) as @asyncapi/diff classifies it,
 * with what it leaves unclassified outside schemas counted as breaking (a content type, a consumer
 * group); and every message schema as `schemaFindings` judges it.
 */
export async function documentFindings(before: Json, after: Json): Promise<Finding[]> {
  const [old, now] = await Promise.all([dereferenced(before), dereferenced(after)])
  // JSON output (the default): the change lists are arrays, not formatted text.
  const output = diff(old, now, { outputType: 'json' })
  const changes = [...output.breaking(), ...output.unclassified()] as DiffOutputItem[]
  const structural = changes
    .filter(({ path }) => !COPY_PATH.test(path) && !SCHEMA_PATH.test(path))
    .map(
      (change): Finding => ({
        where: `asyncapi ${change.path}`,
        change: change.action,
        broken: ['released consumers', 'released events'],
        note:
          change.type === 'breaking'
            ? '@asyncapi/diff classifies it as breaking'
            : '@asyncapi/diff leaves it unclassified: counted as breaking',
      }),
    )
  return [...structural, ...messageSchemaFindings(old, now)]
}
