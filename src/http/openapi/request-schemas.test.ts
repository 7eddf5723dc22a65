import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { documentedZod, requestJsonSchema } from './request-schemas.js'
import { DOCUMENTED_REQUEST } from './schemas.js'

describe('the JSON Schema of a zod request schema', () => {
  it('is JSON Schema 2020-12 without a $schema, requiring only what a client must send', () => {
    const schema = z.strictObject({
      name: z.string().min(1).max(10),
      nickname: z.string().optional(),
      kind: z.enum(['a', 'b']).default('a'),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    })
    expect(requestJsonSchema(schema)).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 10 },
        nickname: { type: 'string' },
        kind: { type: 'string', enum: ['a', 'b'], default: 'a' },
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
      },
      required: ['name'],
      additionalProperties: false,
    })
  })

  it('carries the descriptions and examples given with .describe() and .meta()', () => {
    const schema = z
      .object({
        source: z
          .string()
          .meta({ examples: ['website_form'] })
          .describe('Where it came from'),
      })
      .meta({ description: 'An opt-in', examples: [{ source: 'qr_code' }] })
    expect(requestJsonSchema(schema)).toEqual({
      type: 'object',
      description: 'An opt-in',
      examples: [{ source: 'qr_code' }],
      properties: {
        source: { type: 'string', description: 'Where it came from', examples: ['website_form'] },
      },
      required: ['source'],
    })
  })

  it('shows a transformed field as what the client sends, with its examples', () => {
    const instant = z
      .string()
      .transform((text) => Date.parse(text))
      .meta({ format: 'date-time', examples: ['2024-03-02T10:00:00Z'] })
    expect(requestJsonSchema(z.object({ at: instant.optional().describe('When') }))).toEqual({
      type: 'object',
      properties: {
        at: { type: 'string', format: 'date-time', description: 'When', examples: ['2024-03-02T10:00:00Z'] },
      },
    })
  })

  it('puts a nullable field’s description and examples on the field, and leaves out what says nothing', () => {
    const subject = z
      .string()
      .min(1)
      .meta({ description: 'The subject', examples: ['Router'] })
    const schema = z.object({ subject: subject.nullable().optional(), message: z.looseObject({}) })
    expect(requestJsonSchema(schema)).toEqual({
      type: 'object',
      properties: {
        subject: {
          description: 'The subject',
          examples: ['Router'],
          anyOf: [{ type: 'string', minLength: 1 }, { type: 'null' }],
        },
        message: { type: 'object' },
      },
      required: ['message'],
    })
    // The same zod schema elsewhere keeps its own notes.
    expect(requestJsonSchema(z.object({ a: subject.nullable(), b: subject.nullable() })).properties).toEqual({
      a: {
        description: 'The subject',
        examples: ['Router'],
        anyOf: [{ type: 'string', minLength: 1 }, { type: 'null' }],
      },
      b: {
        description: 'The subject',
        examples: ['Router'],
        anyOf: [{ type: 'string', minLength: 1 }, { type: 'null' }],
      },
    })
  })
})

describe('documentedZod', () => {
  it('documents each part given, out of Fastify’s sight, so the handler’s zod answers every problem', () => {
    const body = z.strictObject({ scope: z.enum(['all', 'marketing']) })
    const params = z.object({ channelId: z.string() })
    const routeSchema = documentedZod({ params, body })
    expect(Object.keys(routeSchema)).toEqual([DOCUMENTED_REQUEST])
    expect(routeSchema[DOCUMENTED_REQUEST]).toEqual({
      params: requestJsonSchema(params),
      body: requestJsonSchema(body),
    })
  })
})
