import { describe, expect, it } from 'vitest'
import { openApiJson } from '../../scripts/openapi-doc.js'
import { EVENT_TYPES } from '../../src/gateway/outbox/events.js'
import { TAGS } from '../../src/http/openapi/document.js'

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
})
