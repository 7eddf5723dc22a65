import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { openApiJson } from '../../scripts/openapi-doc.js'
import { EVENT_TYPES } from '../../src/gateway/outbox/events.js'
import { TAGS } from '../../src/http/openapi/document.js'
import { createCaseSchema } from '../../src/http/routes/v1/cases.js'
import { optInSchema } from '../../src/http/routes/v1/consent.js'

interface Operation {
  readonly operationId?: string
  readonly summary?: string
  readonly description?: string
  readonly tags?: readonly string[]
  readonly parameters?: readonly { readonly name: string; readonly in: string }[]
  readonly requestBody?: { readonly content: Record<string, { readonly schema: unknown }> }
  readonly responses: Record<string, { readonly $ref?: string; readonly content?: object }>
}

interface Document {
  readonly tags: readonly { readonly name: string }[]
  readonly paths: Record<string, Record<string, Operation>>
  readonly webhooks: Record<string, { readonly post: Operation }>
  readonly components: {
    readonly responses: Record<string, { readonly headers?: object; readonly content: object }>
    readonly schemas: Record<string, unknown>
    readonly securitySchemes: Record<string, { readonly description: string }>
  }
}

const document = JSON.parse(await openApiJson()) as Document
const operations = [
  ...Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({ where: `${method} ${path}`, operation })),
  ),
  ...Object.entries(document.webhooks).map(([event, { post }]) => ({
    where: `webhook ${event}`,
    operation: post,
  })),
]

describe('the OpenAPI document', () => {
  it('gives every operation a unique camelCase operationId, a summary, a description and declared tags', () => {
    const ids = operations.map(({ operation }) => operation.operationId)
    expect(new Set(ids).size).toBe(operations.length)
    const declared = new Set<string>(TAGS.map((tag) => tag.name))
    for (const { where, operation } of operations) {
      expect(operation.operationId, where).toMatch(/^[a-z][a-zA-Z]+$/)
      expect(operation.summary, where).toEqual(expect.any(String))
      expect(operation.description, where).toEqual(expect.any(String))
      expect(operation.tags?.length, where).toBe(1)
      expect(declared.has(operation.tags?.[0] ?? ''), where).toBe(true)
    }
  })

  it('describes Graph’s error envelope once: every error response refers to a shared response built on it', () => {
    for (const { where, operation } of operations)
      for (const [status, response] of Object.entries(operation.responses))
        if (/^[45]/.test(status) && where !== 'get /readyz')
          expect(response.$ref, `${where} ${status}`).toMatch(/^#\/components\/responses\/\w+$/)
    expect(JSON.stringify(document)).not.toContain('x-carewindow-shared-response')
    const errors = Object.entries(document.components.responses).filter(
      ([name]) => !['SendAccepted', 'SendHeld'].includes(name),
    )
    for (const [name, response] of errors)
      expect(response.content, name).toEqual({
        'application/json': expect.objectContaining({
          schema: { $ref: '#/components/schemas/GraphError' },
        }) as unknown,
      })
  })

  it('describes every answer of the send endpoints: Graph’s, the 202 hold, the refusal, the failures and their headers', () => {
    for (const path of ['/{version}/{id}/messages', '/{version}/me/messages']) {
      const responses = document.paths[path]?.post?.responses ?? {}
      expect(
        Object.fromEntries(Object.entries(responses).map(([status, { $ref }]) => [status, $ref])),
      ).toEqual({
        200: '#/components/responses/SendAccepted',
        202: '#/components/responses/SendHeld',
        400: '#/components/responses/SendRefused',
        401: '#/components/responses/Unauthorized',
        403: '#/components/responses/ReadOnlyKey',
        404: '#/components/responses/NotFound',
        409: '#/components/responses/IdempotencyInProgress',
        413: '#/components/responses/PayloadTooLarge',
        415: '#/components/responses/UnsupportedMediaType',
        422: '#/components/responses/IdempotencyKeyReused',
        429: '#/components/responses/GraphRateLimited',
        502: '#/components/responses/UpstreamUnavailable',
        503: '#/components/responses/ServiceUnavailable',
        504: '#/components/responses/UpstreamOutcomeUnknown',
        default: '#/components/responses/GraphAnswer',
      })
    }
    const { SendAccepted, SendHeld, SendRefused, ServiceUnavailable } = document.components.responses
    expect(Object.keys(SendAccepted?.headers ?? {})).toEqual([
      'x-carewindow-message-id',
      'x-carewindow-decision',
      'x-carewindow-auto-tag',
    ])
    expect(Object.keys(SendHeld?.headers ?? {})).toEqual([
      'x-carewindow-message-id',
      'x-carewindow-decision',
      'x-carewindow-hold-id',
    ])
    expect(Object.keys(SendRefused?.headers ?? {})).toEqual([
      'x-carewindow-message-id',
      'x-carewindow-decision',
    ])
    expect(Object.keys(ServiceUnavailable?.headers ?? {})).toEqual(['Retry-After'])
  })

  it('documents 403 READ_ONLY_KEY on operations that take an API key and change something, never on a GET', () => {
    const keyed = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.responses['401']?.$ref === '#/components/responses/Unauthorized')
        .map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })),
    )
    const refusing = keyed
      .filter(({ operation }) => operation.responses['403'] !== undefined)
      .map(({ route }) => route)
    // Which routes write is each route's own declaration; test/http/key-roles.test.ts compares the two.
    expect(keyed.map(({ route }) => route)).toContain('POST /v1/channels/{channelId}/decisions')
    expect(refusing).not.toContain('POST /v1/channels/{channelId}/decisions')
    expect(refusing).toEqual(
      expect.arrayContaining(['POST /{version}/{id}/messages', 'PUT /v1/rate-cards/{id}']),
    )
    expect(refusing.some((route) => route.startsWith('GET '))).toBe(false)
    for (const { operation } of keyed.filter(({ route }) => refusing.includes(route)))
      expect(operation.responses['403']?.$ref).toBe('#/components/responses/ReadOnlyKey')
    expect(document.components.securitySchemes.apiKey?.description).toContain('READ_ONLY_KEY')
  })

  it('declares only the path parameters each send path has', () => {
    const pathParameters = (path: string) =>
      (document.paths[path]?.post?.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)
    expect(pathParameters('/{version}/{id}/messages')).toEqual(['version', 'id'])
    expect(pathParameters('/{version}/me/messages')).toEqual(['version'])
  })

  it('describes each event carewindow sends to businesses as a webhook with its body and the signature header', () => {
    expect(Object.keys(document.webhooks)).toEqual([
      ...EVENT_TYPES,
      'whatsapp.notification',
      'messenger.notification',
    ])
    for (const [event, { post }] of Object.entries(document.webhooks)) {
      expect(post.parameters, event).toContainEqual({ $ref: '#/components/parameters/HubSignature' })
      const schema = post.requestBody?.content['application/json']?.schema as { $ref: string }
      expect(
        document.components.schemas[schema.$ref.replace('#/components/schemas/', '')],
        event,
      ).toBeDefined()
    }
  })

  it('documents a /v1 body as its zod schema checks it: required fields, unknown keys, enums and lengths', () => {
    const bodies: readonly (readonly [string, z.ZodType, Record<string, unknown>])[] = [
      [
        'recordOptIn',
        optInSchema,
        {
          scope: 'marketing',
          source: 'website_form',
          evidence: 'form v3',
          actor: 'agent:maria',
          at: '2024-03-02T10:00:00Z',
        },
      ],
      [
        'createCase',
        createCaseSchema,
        {
          contact_id: '31612345678',
          external_id: 'T-1042',
          subject: 'Router',
          language: 'en',
          parameters: { ticket_id: 'T-1042' },
          status: 'open',
        },
      ],
    ]
    for (const [operationId, schema, valid] of bodies) {
      const body = requestBodyOf(operationId)
      const accepts = (value: unknown) => schema.safeParse(value).success
      expect(accepts(valid), operationId).toBe(true)
      expect(Object.keys(body.properties).sort(), operationId).toEqual(Object.keys(valid).sort())
      for (const [name, property] of Object.entries(body.properties)) {
        const where = `${operationId} ${name}`
        const { [name]: _left, ...without } = valid
        expect(accepts(without), `${where} left out`).toBe(!(body.required ?? []).includes(name))
        for (const value of property.enum ?? [])
          expect(accepts({ ...valid, [name]: value }), where).toBe(true)
        if (property.enum !== undefined)
          expect(accepts({ ...valid, [name]: 'no_such_value' }), where).toBe(false)
        if (property.maxLength !== undefined) {
          expect(accepts({ ...valid, [name]: 'x'.repeat(property.maxLength) }), where).toBe(true)
          expect(accepts({ ...valid, [name]: 'x'.repeat(property.maxLength + 1) }), where).toBe(false)
        }
      }
      expect(body.additionalProperties, operationId).toBe(false)
      expect(accepts({ ...valid, unknown_field: 1 }), operationId).toBe(false)
    }
  })
})

interface PropertySchema {
  readonly enum?: readonly unknown[]
  readonly maxLength?: number
}

/** The JSON Schema of an operation's request body in the document. */
function requestBodyOf(operationId: string): {
  readonly properties: Record<string, PropertySchema>
  readonly required?: readonly string[]
  readonly additionalProperties?: unknown
} {
  const operation = operations.find((candidate) => candidate.operation.operationId === operationId)?.operation
  const schema = operation?.requestBody?.content['application/json']?.schema
  if (schema === undefined) throw new Error(`${operationId} documents no JSON body`)
  return schema as ReturnType<typeof requestBodyOf>
}
