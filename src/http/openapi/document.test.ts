import { describe, expect, it } from 'vitest'
import { completeDocument } from './document.js'
import { graphErrorResponses, sharedResponses } from './responses.js'

/** What @fastify/swagger makes of a route's `response`: each status's content as the route wrote it. */
function generated(method: string, response: Record<string, object>): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'carewindow', version: '1.2.3' },
    paths: { '/v1/things/{id}': { [method]: { operationId: 'doThing', responses: response } } },
    components: { schemas: {} },
  }
}

function responsesOf(document: Record<string, unknown>, method: string): Record<string, unknown> {
  const paths = document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>
  return paths['/v1/things/{id}']?.[method]?.responses ?? {}
}

const options = { version: '1.2.3', publicUrl: null }

describe('completing the generated OpenAPI document', () => {
  it('puts a $ref to components.responses in place of each shared response, and lists only those used', () => {
    const document = completeDocument(generated('get', graphErrorResponses([401, 404])), options)
    expect(responsesOf(document, 'get')).toEqual({
      401: { $ref: '#/components/responses/Unauthorized' },
      404: { $ref: '#/components/responses/NotFound' },
      503: { $ref: '#/components/responses/ServiceUnavailable' },
    })
    const components = document.components as { responses: Record<string, unknown> }
    expect(Object.keys(components.responses)).toEqual(['Unauthorized', 'NotFound', 'ServiceUnavailable'])
    expect(JSON.stringify(document)).not.toContain('x-carewindow-shared-response')
  })

  it('adds 400, 413 and 415 to every operation that takes a body, and 503 to every one answering in Graph’s envelope', () => {
    for (const method of ['post', 'put', 'patch', 'delete']) {
      const document = completeDocument(generated(method, graphErrorResponses([404])), options)
      expect(Object.keys(responsesOf(document, method))).toEqual(['400', '404', '413', '415', '503'])
    }
    const ownBody = { 200: { description: 'ok', content: { 'text/plain': { schema: { type: 'string' } } } } }
    expect(Object.keys(responsesOf(completeDocument(generated('get', ownBody), options), 'get'))).toEqual([
      '200',
    ])
  })

  it('keeps a route’s own response for a status the HTTP layer would add', () => {
    const document = completeDocument(generated('post', sharedResponses('SendRefused')), options)
    expect(responsesOf(document, 'post')[400]).toEqual({ $ref: '#/components/responses/SendRefused' })
  })

  it('orders responses by status, then ranges, then default', () => {
    const document = completeDocument(
      generated('get', {
        default: { description: 'anything else' },
        '2XX': { description: 'a range' },
        404: { description: 'not found' },
        200: { description: 'ok' },
      }),
      options,
    )
    expect(Object.keys(responsesOf(document, 'get'))).toEqual(['200', '404', '2XX', 'default'])
  })

  it('names its server by server.public_url, or / when none is configured', () => {
    expect(completeDocument(generated('get', {}), options).servers).toEqual([
      { url: '/', description: expect.any(String) as unknown },
    ])
    expect(
      completeDocument(generated('get', {}), { ...options, publicUrl: 'https://carewindow.example' }).servers,
    ).toEqual([{ url: 'https://carewindow.example' }])
  })
})
