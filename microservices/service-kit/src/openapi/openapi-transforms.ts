import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger'
import type { RouteOptions } from 'fastify'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'
import { REQUEST_ID_HEADER, REQUEST_ID_PATTERN } from '../app/request-id.ts'
import type { HeaderObject } from './documented-responses.ts'

type Json = Record<string, unknown>
interface Operation {
  parameters?: Json[]
  responses?: Record<string, { headers?: Record<string, unknown> }>
}
interface Document {
  paths?: Record<string, Record<string, Operation>>
  components?: { parameters?: Json; headers?: Json }
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

/** Written once under `components` and referenced from every operation and response. */
const REQUEST_ID_COMPONENT = 'RequestId'

const REQUEST_ID_PARAMETER = {
  in: 'header',
  name: REQUEST_ID_HEADER,
  required: false,
  description: `Your id for this request, used in logs and as the correlation id of the events it causes; kept when it matches \`${REQUEST_ID_PATTERN.source}\`, otherwise replaced by a new UUID`,
  schema: { type: 'string' },
}

const REQUEST_ID_RESPONSE_HEADER: HeaderObject = {
  description: 'The id of the request: the one it was sent with, or the one made for it',
  required: true,
  schema: { type: 'string', pattern: REQUEST_ID_PATTERN.source },
}

/** `/user/:id` → `/user/{id}`, as @fastify/swagger writes paths. */
function documentPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}

function methodsOf(route: RouteOptions): string[] {
  return (Array.isArray(route.method) ? route.method : [route.method]).map((method) => method.toLowerCase())
}

/**
 * The `transform` and `transformObject` of @fastify/swagger: fastify-type-provider-zod's (zod →
 * JSON Schema), plus what that pair cannot say. A response's `headers` (Header Objects, see
 * documented-responses.ts) are kept aside — the zod transform drops them and @fastify/swagger
 * would turn each into a bare schema without `required` — and put on the finished document; every
 * operation gets the request id header it reads and every response the one it always carries.
 */
export function createOpenApiTransforms(): {
  transform: SwaggerTransform
  transformObject: SwaggerTransformObject
} {
  const headersByResponse = new Map<string, Record<string, HeaderObject>>()
  const key = (method: string, path: string, status: string) => `${method} ${path} ${status}`

  const transform: SwaggerTransform = (input) => {
    const { schema, url, route } = input
    const responses = (schema as { response?: Record<string, unknown> } | undefined)?.response
    if (!responses) return jsonSchemaTransform(input)
    const withoutHeaders: Record<string, unknown> = {}
    for (const [status, response] of Object.entries(responses)) {
      const { headers, ...rest } = response as { headers?: Record<string, HeaderObject> }
      if (headers && 'content' in rest) {
        for (const method of methodsOf(route))
          headersByResponse.set(key(method, documentPath(url), status), headers)
        withoutHeaders[status] = rest
      } else {
        withoutHeaders[status] = response
      }
    }
    return jsonSchemaTransform({ ...input, schema: { ...schema, response: withoutHeaders } })
  }

  const transformObject: SwaggerTransformObject = (input) => {
    const document = jsonSchemaTransformObject(input) as Document
    document.components = {
      ...document.components,
      parameters: { ...document.components?.parameters, [REQUEST_ID_COMPONENT]: REQUEST_ID_PARAMETER },
      headers: { ...document.components?.headers, [REQUEST_ID_COMPONENT]: REQUEST_ID_RESPONSE_HEADER },
    }
    const parameterRef = { $ref: `#/components/parameters/${REQUEST_ID_COMPONENT}` }
    const headerRef = { $ref: `#/components/headers/${REQUEST_ID_COMPONENT}` }
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const method of METHODS) {
        const operation = item[method]
        if (!operation) continue
        operation.parameters = [...(operation.parameters ?? []), parameterRef]
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          response.headers = {
            ...response.headers,
            ...headersByResponse.get(key(method, path, status)),
            [REQUEST_ID_HEADER]: headerRef,
          }
        }
      }
    }
    return document as ReturnType<SwaggerTransformObject>
  }

  return { transform, transformObject }
}
