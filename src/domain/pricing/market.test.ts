import { describe, expect, it } from 'vitest'

import { countryOfPhoneNumber } from './market.js'

describe('countryOfPhoneNumber', () => {
  it.each([
    ['a Dutch mobile number as WhatsApp sends it', '31612345678', 'NL'],
    ['a Dutch number with + and spaces', '+31 6 1234 5678', 'NL'],
    ['a German number with dashes', '49-151-2345-6789', 'DE'],
    ['an Indian number', '919876543210', 'IN'],
    ['a New York number', '12125550123', 'US'],
    ['a New York number with +, spaces, parentheses and dashes', '+1 (212) 555-0123', 'US'],
    ['a Toronto number (same +1 country code, Canadian area code)', '14165550123', 'CA'],
    ['an Ottawa number formatted', '+1 613-555-0123', 'CA'],
  ])('finds the country of %s', (_label, waId, country) => {
    expect(countryOfPhoneNumber(waId)).toBe(country)
  })

  it.each([
    ['a Messenger PSID (too many digits)', '6543210987654321'],
    ['a business-scoped user id', 'US.13491208655302741918'],
    ['a number that is too short', '12345'],
    ['digits that belong to no country', '999999999'],
    ['letters', 'not-a-number'],
    ['an empty id', ''],
  ])('answers null for %s', (_label, waId) => {
    expect(countryOfPhoneNumber(waId)).toBeNull()
  })

  it('gives the same answer when asked again', () => {
    expect(countryOfPhoneNumber('14165550199')).toBe('CA')
    expect(countryOfPhoneNumber('14165550199')).toBe('CA')
    expect(countryOfPhoneNumber('6543210987654322')).toBeNull()
    expect(countryOfPhoneNumber('6543210987654322')).toBeNull()
  })

  it('keeps answering correctly after more ids than it remembers', () => {
    expect(countryOfPhoneNumber('31612345670')).toBe('NL')
    for (let i = 0; i < 50_001; i++) countryOfPhoneNumber(`psid-${i}`)
    expect(countryOfPhoneNumber('31612345670')).toBe('NL')
    expect(countryOfPhoneNumber('psid-1')).toBeNull()
  })
})
