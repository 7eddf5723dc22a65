/**
 * The markets of Meta's published rate cards: single countries by their English name ("Netherlands"), groups of
 * countries ("Rest of Western Europe") and "Other" for the rest of the world. Which countries a group holds is
 * Meta's "market groupings" on its pricing page; a country that a card prices on its own row is that row's, even
 * when it used to belong to a group (Meta has moved countries out of groups over time).
 */
export const META_REGIONS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'North America': codes('CA US'),
  'Rest of Africa': codes(
    'AO BF BI BJ BW CG CI CM DZ ER ET GA GH GM GW KE LR LS LY MA MG ML MR MW MZ NA NE RW SD SL SN SO SS SZ TD TG TN TZ UG ZM',
  ),
  'Rest of Asia Pacific': codes('AF AU BD CN HK JP KH LA LK MN NP NZ PG PH SG TH TJ TM TW UZ VN'),
  'Rest of Central & Eastern Europe': codes('AL AM AZ BG BY CZ GE GR HR HU LT LV MD MK PL RO RS SI SK UA'),
  'Rest of Latin America': codes('BO CR DO EC GT HN HT JM NI PA PR PY SV UY VE'),
  'Rest of Middle East': codes('BH IQ JO KW LB OM QA YE'),
  'Rest of Western Europe': codes('AT BE CH DK FI IE NO PT SE'),
})

function codes(list: string): readonly string[] {
  return Object.freeze(list.split(' '))
}

/** Meta's names of single-country markets, and names people use for them, that English region names do not give. */
const COUNTRY_NAMES: Readonly<Record<string, string>> = {
  turkey: 'TR',
  turkiye: 'TR',
  russia: 'RU',
  'united states': 'US',
  usa: 'US',
  'united kingdom': 'GB',
  uk: 'GB',
  'hong kong': 'HK',
  'united arab emirates': 'AE',
  uae: 'AE',
  'south korea': 'KR',
  'czech republic': 'CZ',
  'ivory coast': 'CI',
  swaziland: 'SZ',
  macedonia: 'MK',
  'republic of the congo': 'CG',
  'congo brazzaville': 'CG',
}

/** What a market name on a rate card stands for. */
export type MetaMarket =
  | { readonly kind: 'country'; readonly country: string }
  | { readonly kind: 'region'; readonly region: string }
  /** "Other": every market the card does not list (`*`). */
  | { readonly kind: 'rest' }

const REGION_KEYS = new Map(Object.keys(META_REGIONS).map((region) => [keyOf(region), region]))

/**
 * The market a name on a rate card stands for: a country (by Meta's name, its English name or its ISO 3166-1
 * code), one of Meta's groups, or the rest of the world; `undefined` for a name that is none of these.
 */
export function metaMarketOf(name: string): MetaMarket | undefined {
  const key = keyOf(name)
  if (key === 'other' || key === 'rest of world' || key === '*') return { kind: 'rest' }
  const region = REGION_KEYS.get(key)
  if (region !== undefined) return { kind: 'region', region }
  const { byName, codes } = knownCountries()
  const code = name.trim()
  const country = COUNTRY_NAMES[key] ?? byName.get(key) ?? (codes.has(code) ? code : undefined)
  return country === undefined ? undefined : { kind: 'country', country }
}

/** Lower case, accents and punctuation away, "&" read as "and": "Rest of Central & Eastern Europe" matches itself. */
function keyOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9*]+/g, ' ')
    .trim()
}

/** Codes the runtime names that are not countries. */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'ZZ', 'QO', 'XA', 'XB'])

let countries: { readonly byName: Map<string, string>; readonly codes: Set<string> } | undefined

/** Every ISO 3166-1 country's English name (from the runtime's Unicode data), read once. */
function knownCountries(): { readonly byName: Map<string, string>; readonly codes: Set<string> } {
  if (countries !== undefined) return countries
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' })
  countries = { byName: new Map(), codes: new Set() }
  for (let first = 65; first <= 90; first++)
    for (let second = 65; second <= 90; second++) {
      const code = String.fromCharCode(first, second)
      const name = names.of(code)
      if (name === undefined || NOT_COUNTRIES.has(code)) continue
      countries.byName.set(keyOf(name), code)
      countries.codes.add(code)
    }
  return countries
}
