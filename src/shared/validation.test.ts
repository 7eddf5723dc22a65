import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { describeIssues } from './validation.js'

function issuesOf(schema: z.ZodType, input: unknown, prefix?: string): string[] {
  const parsed = schema.safeParse(input)
  if (parsed.success) throw new Error('expected the input to be rejected')
  return describeIssues(parsed.error, prefix)
}

const events = z.object({
  events: z.array(z.object({ at: z.string().min(1, 'at is required'), contact: z.string() })),
})

describe('describeIssues', () => {
  it('names list positions in brackets and fields with dots', () => {
    expect(
      issuesOf(events, {
        events: [
          { at: 'a', contact: 'c' },
          { at: 'b', contact: 'c' },
          { at: '', contact: 'c' },
        ],
      }),
    ).toEqual(['events[2].at: at is required'])
  })

  it('lists every problem, one line each', () => {
    expect(issuesOf(events, { events: [{ at: '' }, { contact: 1, at: 'x' }] })).toEqual([
      'events[0].at: at is required',
      'events[0].contact: Invalid input: expected string, received undefined',
      'events[1].contact: Invalid input: expected string, received number',
    ])
  })

  it('starts paths with the prefix, so nested bodies are located in their document', () => {
    expect(issuesOf(z.object({ name: z.string() }), {}, 'template')).toEqual([
      'template.name: Invalid input: expected string, received undefined',
    ])
    expect(issuesOf(z.array(z.string()), [1], 'rate_cards')).toEqual([
      'rate_cards[0]: Invalid input: expected string, received number',
    ])
  })

  it('gives the bare message for a problem with the whole input', () => {
    expect(issuesOf(z.strictObject({}), { extra: true })).toEqual(['Unrecognized key: "extra"'])
    expect(issuesOf(z.string(), 5)).toEqual(['Invalid input: expected string, received number'])
  })

  it('names the prefix alone for a problem with the whole input when a prefix is given', () => {
    expect(issuesOf(z.string('must be text'), 5, 'message')).toEqual(['message: must be text'])
  })

  it("reports the issues of the one union option that took the value's shape", () => {
    const cutoff = z.object({
      cutoff: z.union([
        z.enum(['brief', 'meta']),
        z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'not a date such as 2020-03-04'),
      ]),
    })
    expect(issuesOf(cutoff, { cutoff: 'soon' })).toEqual(['cutoff: not a date such as 2020-03-04'])
  })

  it('locates issues inside a union option below the union', () => {
    const cards = z.object({
      rate_cards: z.union([z.literal('sample'), z.array(z.strictObject({ currency: z.string() }))]),
    })
    expect(issuesOf(cards, { rate_cards: [{ currency: 'EUR' }, { currency: 'USD', rates: {} }] })).toEqual([
      'rate_cards[1]: Unrecognized key: "rates"',
    ])
  })

  it("keeps the union's own message when no option, or more than one, took the value's shape", () => {
    const schema = z.object({ id: z.union([z.string(), z.number()], 'an id is a string or a number') })
    expect(issuesOf(schema, { id: true })).toEqual(['id: an id is a string or a number'])
    const twoShapes = z.object({
      id: z.union([z.string().min(3, 'too short'), z.string().regex(/^\d+$/, 'not digits')], 'a code'),
    })
    expect(issuesOf(twoShapes, { id: 'x' })).toEqual(['id: a code'])
  })
})
