import { describe, expect, it } from 'vitest'
import { META_REGIONS, metaMarketOf } from './meta-markets.js'

describe('metaMarketOf', () => {
  it.each([
    ['Netherlands', 'NL'],
    ['United Kingdom', 'GB'],
    ['United States', 'US'],
    ['Turkey', 'TR'],
    ['Türkiye', 'TR'],
    ['Russia', 'RU'],
    ['Hong Kong', 'HK'],
    ['United Arab Emirates', 'AE'],
    ['Saudi Arabia', 'SA'],
    ['South Africa', 'ZA'],
    ['  germany ', 'DE'],
    ['Vietnam', 'VN'],
    ['NL', 'NL'],
  ])('reads the market %j as the country %s', (name, country) => {
    expect(metaMarketOf(name)).toEqual({ kind: 'country', country })
  })

  it.each([
    ['Rest of Western Europe', 'Rest of Western Europe'],
    ['Rest of Central & Eastern Europe', 'Rest of Central & Eastern Europe'],
    ['rest of central and eastern europe', 'Rest of Central & Eastern Europe'],
    ['North America', 'North America'],
    ['Rest of Latin America', 'Rest of Latin America'],
  ])('reads the market %j as Meta’s group %j', (name, region) => {
    expect(metaMarketOf(name)).toEqual({ kind: 'region', region })
  })

  it.each(['Other', 'other', 'Rest of World', '*'])('reads %j as the rest of the world', (name) => {
    expect(metaMarketOf(name)).toEqual({ kind: 'rest' })
  })

  it.each(['Rest of Lain America', 'Atlantis', 'XX', 'EU', 'nl', ''])('knows no market %j', (name) => {
    expect(metaMarketOf(name)).toBeUndefined()
  })
})

describe('META_REGIONS', () => {
  it('puts each country in one group at most, by its ISO 3166-1 code', () => {
    const countries = Object.values(META_REGIONS).flat()
    expect(new Set(countries).size).toBe(countries.length)
    for (const country of countries) expect(metaMarketOf(country)).toEqual({ kind: 'country', country })
  })
})
