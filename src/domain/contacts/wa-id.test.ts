import fc from 'fast-check'
import { getCountries, getCountryCallingCode } from 'libphonenumber-js'
import examples from 'libphonenumber-js/mobile/examples'
import { describe, expect, it } from 'vitest'
import { parseWaId, parseWhatsAppContactId } from './wa-id.js'

function idOf(written: string): string {
  const parsed = parseWaId(written)
  if (!parsed.ok) throw new Error(`expected ${JSON.stringify(written)} to be a wa_id: ${parsed.problem}`)
  return parsed.id
}

function problemOf(written: string): string {
  const parsed = parseWhatsAppContactId(written)
  if (parsed.ok) throw new Error(`expected ${JSON.stringify(written)} to be refused, got ${parsed.id}`)
  return parsed.problem
}

describe('parseWaId', () => {
  it.each([
    ['the wa_id itself', '31612345678'],
    ['a leading +', '+31612345678'],
    ['the 00 international prefix and spaces', '0031 6 1234 5678'],
    ['the trunk 0 written after the country code', '+31 06 12345678'],
    ['the trunk 0 in parentheses, with dashes', '+31 (0)6-1234-5678'],
    ['dashes without +', '31-6-1234-5678'],
    ['dots', '31.6.1234.5678'],
    ['00 and the trunk 0 together', '0031 (0)6 12 34 56 78'],
    ['surrounding whitespace and a tab', ' \t+31 6 12345678 '],
  ])('reads %s (%j) as 31612345678', (_form, written) => {
    expect(idOf(written)).toBe('31612345678')
  })

  it.each([
    ['a US number with +1 and spaces', '+1 650 555 1234', '16505551234'],
    ['a US number with parentheses and a dash', '+1 (650) 555-1234', '16505551234'],
    ['a German mobile number with its trunk 0', '+49 0151 2345 6789', '4915123456789'],
    ['a British number with its trunk 0', '+44 07911 123456', '447911123456'],
    ['a French number written with 00 and its trunk 0', '0033 06 12 34 56 78', '33612345678'],
    ['a Russian number with its trunk 8', '+7 8 912 345-67-89', '79123456789'],
    ['a number of an international network (+800)', '+800 1234 5678', '80012345678'],
  ])('reads %s', (_label, written, id) => {
    expect(idOf(written)).toBe(id)
  })

  it('keeps the 0 that belongs to an Italian number, which has no trunk prefix', () => {
    expect(idOf('+39 06 1234 5678')).toBe('390612345678')
    expect(idOf('390612345678')).toBe('390612345678')
  })

  it('takes the 555 numbers of Meta’s examples and tests, which no US area has', () => {
    expect(idOf('15550001234')).toBe('15550001234')
    expect(idOf('+1 555 000 1234')).toBe('15550001234')
  })

  it('keeps the 1 WhatsApp writes after 52 in Mexican mobile numbers, and does not add it', () => {
    expect(idOf('5215512345678')).toBe('5215512345678')
    expect(idOf('+52 1 55 1234 5678')).toBe('5215512345678')
    expect(idOf('+52 55 1234 5678')).toBe('525512345678')
  })

  it.each([
    ['letters', '31612abc', /is not a phone number: digits/],
    ['a + between the digits', '31+612345678', /is not a phone number/],
    ['a lone +', '+', /is not a phone number/],
    ['only parentheses', '()', /has no digits/],
    ['an empty text', '', /an empty text is not a phone number/],
    ['only spaces', '   ', /an empty text is not a phone number/],
    [
      'a number written nationally',
      '06 1234 5678',
      /is written nationally: write it with its country calling code/,
    ],
    [
      'a number too short for its country',
      '316123',
      /"316123" is too short for a phone number in NL \(\+31\)/,
    ],
    [
      'a number too long for its country',
      '+31 6 1234 5678 9012',
      /is too long for a phone number in NL \(\+31\)/,
    ],
    [
      'a length no number of its country has',
      '+44 1234 5678',
      /has 8 digits after \+44, which no phone number/,
    ],
    [
      'a shared calling code and no region',
      '+44 1234 5678 901',
      /too long for a phone number with country calling code \+44/,
    ],
    ['a calling code and nothing else', '+1', /"\+1" is too short for a phone number/],
    [
      'an unknown country calling code',
      '+999 1234 5678',
      /does not start with a country calling code that exists \(\+999…\)/,
    ],
    ['a calling code that starts with 0', '+0031 6 1234 5678', /country calling code that exists/],
    [
      'more than 15 digits that its country allows',
      '+49 1234 5678 9012 345',
      /has 17 digits; a phone number has at most 15/,
    ],
    [
      'far more digits than any number',
      '+62 1234 5678 9012 3456',
      /has 18 digits; a phone number has at most 15/,
    ],
    [
      'a text longer than any number is written',
      '3'.repeat(65),
      /a text of 65 characters .* at most 64 characters/,
    ],
  ])('refuses %s, saying why', (_label, written, problem) => {
    const parsed = parseWaId(written)
    expect(parsed.ok).toBe(false)
    expect(parsed.ok || parsed.problem).toMatch(problem)
  })

  it('shortens a long input where a problem quotes it', () => {
    const parsed = parseWaId(`+31 6 1234 5678 ${'9'.repeat(30)}`)
    expect(parsed.ok || parsed.problem).toMatch(/^"\+31 6 1234 5678 9{16}…" has/)
  })

  it('leaves every country’s example mobile number, written as a wa_id, unchanged', () => {
    const countries = getCountries()
    expect(countries.length).toBeGreaterThan(200)
    for (const country of countries) {
      const waId = `${getCountryCallingCode(country)}${examples[country]}`
      expect(parseWaId(waId), country).toEqual({ ok: true, id: waId })
    }
  })

  it('reads a number the same however it is spaced, dashed and prefixed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...getCountries()),
        fc.constantFrom('', '+', '00'),
        fc.array(fc.constantFrom('', ' ', '-', '.', ' (', ') ', '  '), { minLength: 20, maxLength: 20 }),
        (country, prefix, separators) => {
          const digits = `${getCountryCallingCode(country)}${examples[country]}`
          const written = digits.replace(/\d/g, (digit, i: number) => `${digit}${separators[i] ?? ''}`)
          expect(parseWaId(`${prefix}${written}`)).toEqual({ ok: true, id: digits })
        },
      ),
    )
  })

  it('gives the same answer when asked again', () => {
    expect(parseWaId('+31 6 2345 6789')).toEqual({ ok: true, id: '31623456789' })
    expect(parseWaId('+31 6 2345 6789')).toEqual({ ok: true, id: '31623456789' })
    expect(parseWaId('0000').ok).toBe(false)
    expect(parseWaId('0000').ok).toBe(false)
  })

  it('keeps answering correctly after more numbers than it remembers', () => {
    expect(parseWaId('+31 6 1111 2222')).toEqual({ ok: true, id: '31611112222' })
    for (let i = 0; i < 50_001; i++) parseWaId(`+31 6 ${String(i).padStart(8, '0')}`)
    expect(parseWaId('+31 6 1111 2222')).toEqual({ ok: true, id: '31611112222' })
    expect(parseWaId('+31 6 00000001')).toEqual({ ok: true, id: '31600000001' })
  })
})

describe('parseWhatsAppContactId', () => {
  it('keys a phone number by its wa_id', () => {
    expect(parseWhatsAppContactId('+31 06 12345678')).toEqual({ ok: true, id: '31612345678' })
  })

  it.each(['US.13491208655302741918', 'US.ENT.11815799212886844830', ' US.13491208655302741918 '])(
    'keeps the business-scoped user id %j as Meta wrote it, without surrounding spaces',
    (written) => {
      expect(parseWhatsAppContactId(written)).toEqual({ ok: true, id: written.trim() })
    },
  )

  it.each(['abc', '31612abc', 'us.13491208655302741918', 'US 13491208655302741918', `US.${'1'.repeat(70)}`])(
    'refuses %j: neither a phone number nor a business-scoped user id',
    (written) => {
      expect(problemOf(written)).toMatch(/is neither a phone number .* nor a business-scoped user id/)
    },
  )

  it('says what is wrong with a phone number', () => {
    expect(problemOf('+31 6 12')).toMatch(/"\+31 6 12" is too short/)
  })
})
