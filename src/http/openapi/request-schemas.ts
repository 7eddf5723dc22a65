import { z } from 'zod'
import { documentedRequest, type OpenApiObject } from './schemas.js'

/** The request parts a route validates with zod in its handler. */
export interface ZodRequestParts {
  readonly params?: z.ZodType
  readonly querystring?: z.ZodType
  readonly headers?: z.ZodType
  readonly body?: z.ZodType
}

/**
 * What a client may send, as the JSON Schema of a zod schema: OpenAPI 3.1's dialect (JSON Schema 2020-12), the
 * input side (a field with a default is optional; a transformed field is shown as what is sent, not what it becomes),
 * with the descriptions and examples given by `.describe()` and `.meta()`. Examples are written as a client sends
 * them, so they are kept on transformed fields too (zod drops those, as they might be of the transformed type).
 */
export function requestJsonSchema(schema: z.ZodType): OpenApiObject {
  const generated = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    override: ({ zodSchema, jsonSchema }) => {
      const examples = z.globalRegistry.get(zodSchema)?.examples
      if (Array.isArray(examples) && jsonSchema.examples === undefined) jsonSchema.examples = examples
    },
  })
  const { $schema: _dialect, ...jsonSchema } = generated
  tidy(jsonSchema)
  return jsonSchema
}

/**
 * Reads a generated schema as a person would have written it: a nullable field (`anyOf: [X, {type: "null"}]`)
 * carries X's description and examples itself, where readers look for them, and a loose object's empty
 * `properties` and `additionalProperties` (which say nothing) are left out.
 */
function tidy(node: unknown): void {
  if (typeof node !== 'object' || node === null) return
  for (const value of Object.values(node)) tidy(value)
  if (Array.isArray(node)) return
  const schema = node as JsonSchemaNode
  if (isEmptyObject(schema.properties)) delete schema.properties
  if (isEmptyObject(schema.additionalProperties)) delete schema.additionalProperties
  const options =
    Array.isArray(schema.anyOf) && schema.anyOf.length === 2 ? (schema.anyOf as JsonSchemaNode[]) : []
  const value = options.find((option) => option.type !== 'null')
  if (value === undefined || !options.some((option) => option.type === 'null')) return
  if (schema.description === undefined && value.description !== undefined) {
    schema.description = value.description
    delete value.description
  }
  if (schema.examples === undefined && value.examples !== undefined) {
    schema.examples = value.examples
    delete value.examples
  }
}

/** The keywords {@link tidy} reads, in a generated schema. */
interface JsonSchemaNode {
  [keyword: string]: unknown
  type?: unknown
  properties?: unknown
  additionalProperties?: unknown
  anyOf?: unknown
  description?: unknown
  examples?: unknown
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  )
}

/**
 * {@link documentedRequest} for request parts the handler validates with zod (`parseInput`): the document shows the
 * JSON Schema made from each zod schema, so what the document says and what is checked cannot drift apart, and
 * Fastify never validates them itself (every problem gets zod's message, in Graph's envelope, from the handler).
 * Spread into the route's `schema`.
 */
export function documentedZod(parts: ZodRequestParts): ReturnType<typeof documentedRequest> {
  const documented: Partial<Record<keyof ZodRequestParts, OpenApiObject>> = {}
  for (const part of ['params', 'querystring', 'headers', 'body'] as const) {
    const schema = parts[part]
    if (schema !== undefined) documented[part] = requestJsonSchema(schema)
  }
  return documentedRequest(documented)
}
