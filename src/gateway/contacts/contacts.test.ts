import { describe, expect, it } from 'vitest'
import { KnownContacts } from './contacts.js'

describe('known contacts', () => {
  it('knows the stored country of a remembered contact, null included, per channel', () => {
    const known = new KnownContacts()
    known.remember('ch_a', '31612345678', 'NL')
    known.remember('ch_a', '1234567890123456', null)
    expect(known.countryOf('ch_a', '31612345678')).toBe('NL')
    expect(known.countryOf('ch_a', '1234567890123456')).toBeNull()
    expect(known.countryOf('ch_b', '31612345678')).toBeUndefined()
  })

  it('keeps the country first remembered: a stored contact never changes it', () => {
    const known = new KnownContacts()
    known.remember('ch_a', '31612345678', 'NL')
    known.remember('ch_a', '31612345678', 'BE')
    expect(known.countryOf('ch_a', '31612345678')).toBe('NL')
  })

  it('forgets the contacts remembered longest ago when full', () => {
    const known = new KnownContacts(3)
    for (const contact of ['1', '2', '3', '4']) known.remember('ch_a', contact, null)
    expect(known.countryOf('ch_a', '1')).toBeUndefined()
    expect(['2', '3', '4'].map((contact) => known.countryOf('ch_a', contact))).toEqual([null, null, null])
  })
})
