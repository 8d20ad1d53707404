import { compileErrors, validate } from '@readme/openapi-parser'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

// ajv-formats is CommonJS with `exports.default`: under NodeNext the default import is the module.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

type Json = Record<string, unknown>

export interface OpenApiDocument {
  openapi: string
  paths: Record<string, Record<string, Operation>>
  components?: Json
}

interface Operation {
  responses: Record<string, Response | Reference>
}
interface Response {
  content?: Record<string, { schema?: Json }>
  headers?: Record<string, Header | Reference>
}
interface Header {
  required?: boolean
  schema?: Json
}
interface Reference {
  $ref: string
}

/** A served response, as `fetch` returns it. */
export interface ServedResponse {
  status: number
  headers: Headers
  text: string
}

export async function fetchOpenApi(baseUrl: string): Promise<OpenApiDocument> {
  const response = await fetch(`${baseUrl}/openapi.json`)
  if (!response.ok) throw new Error(`GET ${baseUrl}/openapi.json answered ${response.status}`)
  return (await response.json()) as OpenApiDocument
}

/**
 * Validates a document against the OpenAPI 3.x specification (its JSON Schema plus the rules it
 * cannot express: unique operation ids, path parameters declared, component names) with
 * @readme/openapi-parser; `message` lists every error.
 */
export async function validateOpenApi(
  document: OpenApiDocument,
): Promise<{ valid: boolean; message: string }> {
  // The parser dereferences in place.
  const result = await validate(structuredClone(document) as unknown as Parameters<typeof validate>[0])
  return { valid: result.valid, message: result.valid ? '' : compileErrors(result) }
}

const DOCUMENT_ID = 'openapi.json'

/** JSON Pointer (RFC 6901) of a path of keys, as a URI fragment. */
function pointer(...keys: string[]): string {
  return keys.map((key) => encodeURIComponent(key.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/')
}

/**
 * Checks served responses against the document: the status is declared for the operation, the
 * media type is one of that response's `content` types, the body validates against its schema
 * (JSON Schema 2020-12, formats included) and every required header is there and valid.
 */
export class OpenApiContract {
  readonly #ajv = new Ajv2020({ strict: false, allErrors: true })

  constructor(readonly document: OpenApiDocument) {
    addFormats(this.#ajv)
    this.#ajv.addSchema(document as unknown as Json, DOCUMENT_ID)
  }

  #resolve<T>(value: T | Reference): T {
    if (value && typeof value === 'object' && '$ref' in value) {
      const keys = value.$ref.replace(/^#\//, '').split('/')
      let target: unknown = this.document
      for (const key of keys) target = (target as Json)[key.replaceAll('~1', '/').replaceAll('~0', '~')]
      return target as T
    }
    return value as T
  }

  #validate(schemaPointer: string, data: unknown): string | undefined {
    const check = this.#ajv.getSchema(`${DOCUMENT_ID}#/${schemaPointer}`)
    if (!check) return `no schema at ${schemaPointer}`
    if (check(data)) return undefined
    return this.#ajv.errorsText(check.errors, { dataVar: 'body' })
  }

  /** Every way `response` differs from what the document declares for `method path`; empty when none. */
  mismatches(method: string, path: string, response: ServedResponse): string[] {
    const operation = this.document.paths[path]?.[method.toLowerCase()]
    if (!operation) return [`the document has no operation ${method.toUpperCase()} ${path}`]
    const status = String(response.status)
    const statusKey = [status, `${status[0]}XX`, 'default'].find((key) => key in operation.responses)
    if (!statusKey)
      return [`status ${status} is not declared (declared: ${Object.keys(operation.responses).join(', ')})`]
    const declared = this.#resolve(operation.responses[statusKey]!)
    const problems: string[] = []

    const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
    const content = declared.content ?? {}
    if (Object.keys(content).length === 0) {
      if (response.text !== '') problems.push(`status ${status} declares no body, but one was served`)
    } else if (!mediaType || !(mediaType in content)) {
      problems.push(
        `content type ${mediaType ?? '(none)'} is not declared for ${status} (declared: ${Object.keys(content).join(', ')})`,
      )
    } else {
      let body: unknown
      try {
        body = JSON.parse(response.text)
      } catch {
        problems.push(`the ${mediaType} body is not JSON: ${response.text.slice(0, 200)}`)
      }
      if (body !== undefined) {
        const error = this.#validate(
          pointer(
            'paths',
            path,
            method.toLowerCase(),
            'responses',
            statusKey,
            'content',
            mediaType,
            'schema',
          ),
          body,
        )
        if (error)
          problems.push(`the body does not match its schema: ${error}; body: ${response.text.slice(0, 500)}`)
      }
    }

    for (const [name, entry] of Object.entries(declared.headers ?? {})) {
      const header = this.#resolve(entry)
      const value = response.headers.get(name)
      if (value === null) {
        if (header.required) problems.push(`required header ${name} is missing`)
        continue
      }
      if (header.schema) {
        const type = header.schema.type
        const parsed = type === 'integer' || type === 'number' ? Number(value) : value
        const check = this.#ajv.compile(header.schema)
        if (!check(parsed))
          problems.push(`header ${name}: ${JSON.stringify(value)} ${this.#ajv.errorsText(check.errors)}`)
      }
    }
    return problems
  }

  /** Throws, naming the operation, the response and each mismatch, unless `response` is as documented. */
  assertDocumented(method: string, path: string, response: ServedResponse): void {
    const problems = this.mismatches(method, path, response)
    if (problems.length === 0) return
    throw new Error(
      `${method.toUpperCase()} ${path} answered ${response.status} (${response.headers.get('content-type')}) ` +
        `not as its OpenAPI document says:\n- ${problems.join('\n- ')}`,
    )
  }
}

/** A fetch whose response is read whole, for `OpenApiContract`. */
export async function serve(url: string, init: RequestInit = {}): Promise<ServedResponse> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) })
  return { status: response.status, headers: response.headers, text: await response.text() }
}
