import { describe, expect, it } from 'vitest'
import {
  DEFAULT_POLICY_SETTINGS,
  MESSENGER_POLICY_CHANGE_BRIEF,
  MESSENGER_POLICY_CHANGE_META,
} from '../domain/index.js'
import { describeIssues } from '../shared/validation.js'
import { dateOrInstant } from '../shared/validation.js'
import { policySettingsSchema, toPolicySettings } from './policy-settings.js'

function settingsFrom(input: unknown) {
  return toPolicySettings(policySettingsSchema.parse(input))
}

function problemsOf(input: unknown): string[] {
  const parsed = policySettingsSchema.safeParse(input)
  if (parsed.success) throw new Error('expected the settings to be rejected')
  return describeIssues(parsed.error)
}

describe('policy settings', () => {
  it('gives the defaults for an empty object and for no input at all', () => {
    expect(settingsFrom({})).toEqual(DEFAULT_POLICY_SETTINGS)
    expect(toPolicySettings()).toEqual(DEFAULT_POLICY_SETTINGS)
  })

  it('freezes the settings it returns', () => {
    expect(Object.isFrozen(settingsFrom({ pricing_2026: true }))).toBe(true)
  })

  it.each([
    ['brief', MESSENGER_POLICY_CHANGE_BRIEF, '2020-01-15T00:00:00.000Z'],
    ['meta', MESSENGER_POLICY_CHANGE_META, '2020-03-04T00:00:00.000Z'],
    ['2020-02-01', Date.parse('2020-02-01T00:00:00Z'), '2020-02-01T00:00:00.000Z'],
    ['2020-02-01T12:00:00+01:00', Date.parse('2020-02-01T11:00:00Z'), '2020-02-01T11:00:00.000Z'],
  ])('reads the 24+1 cut-off %j as %s', (cutoff, expected, iso) => {
    const settings = settingsFrom({ messenger_plus_one_cutoff: cutoff })
    expect(settings.messengerPolicyChangeAt).toBe(expected)
    expect(new Date(settings.messengerPolicyChangeAt).toISOString()).toBe(iso)
  })

  it('maps every snake_case key to the engine setting it controls', () => {
    expect(
      settingsFrom({
        issue_resolution_without_opt_in: false,
        messenger_tag_retirement: '2026-05-01',
        pricing_cbp_2022_at: '2022-01-15',
        pricing_cbp_2023_at: '2023-06-02',
        pricing_free_service_at: '2024-10-31T22:00:00Z',
        pricing_pmp_2025_at: '2025-07-02',
        pricing_2026: true,
        pricing_2026_at: '2026-11-01T00:00:00Z',
        stop_keywords: ['HALT', 'NO MORE'],
        stop_keyword_scope: 'all',
        free_tier_conversations_per_month: 250,
      }),
    ).toEqual({
      ...DEFAULT_POLICY_SETTINGS,
      issueResolutionWithoutOptIn: false,
      messengerTagRetirementAt: Date.parse('2026-05-01T00:00:00Z'),
      pricingCbp2022At: Date.parse('2022-01-15T00:00:00Z'),
      pricingCbp2023At: Date.parse('2023-06-02T00:00:00Z'),
      pricingFreeServiceAt: Date.parse('2024-10-31T22:00:00Z'),
      pricingPmp2025At: Date.parse('2025-07-02T00:00:00Z'),
      pricing2026Enabled: true,
      pricing2026At: Date.parse('2026-11-01T00:00:00Z'),
      stopKeywords: ['HALT', 'NO MORE'],
      stopKeywordScope: 'all',
      freeTierConversationsPerMonth: 250,
    })
  })

  it('leaves the date of the 2026 change unchecked while the change is off', () => {
    expect(settingsFrom({ pricing_2026_at: '2025-01-01' }).pricing2026Enabled).toBe(false)
  })

  it('lists every era out of order, not only the first', () => {
    expect(problemsOf({ pricing_cbp_2022_at: '2024-01-01', pricing_pmp_2025_at: '2024-06-01' })).toEqual([
      'pricing_cbp_2022_at: 2024-01-01 must come before pricing_cbp_2023_at (2023-06-01, the default): each pricing era starts after the one before it',
      'pricing_pmp_2025_at: 2024-06-01 must come after pricing_free_service_at (2024-11-01, the default): each pricing era starts after the one before it',
    ])
  })

  it('replaces the built-in stop keywords rather than adding to them', () => {
    expect(settingsFrom({ stop_keywords: ['HALT'] }).stopKeywords).toEqual(['HALT'])
  })

  it.each([
    [
      'an unknown key (a typo never falls back to a default)',
      { stop_keyword: ['HALT'] },
      'Unrecognized key: "stop_keyword"',
    ],
    [
      'an impossible cut-off date',
      { messenger_plus_one_cutoff: '2020-02-30' },
      'messenger_plus_one_cutoff: "2020-02-30" is not a date (2020-03-04) or an ISO 8601 instant with offset',
    ],
    [
      'a cut-off that is neither brief, meta nor a date',
      { messenger_plus_one_cutoff: 'soon' },
      'messenger_plus_one_cutoff: "soon" is not a date',
    ],
    [
      'a cut-off that is not a string',
      { messenger_plus_one_cutoff: 2020 },
      'messenger_plus_one_cutoff: use "brief", "meta" or a date',
    ],
    [
      'a tag retirement instant without offset',
      { messenger_tag_retirement: '2026-04-27T00:00:00' },
      'messenger_tag_retirement: "2026-04-27T00:00:00" is not a date',
    ],
    ['a pricing_2026 that is not a boolean', { pricing_2026: 'yes' }, 'pricing_2026:'],
    [
      'an era date that is not a date',
      { pricing_pmp_2025_at: '2025-13-01' },
      'pricing_pmp_2025_at: "2025-13-01" is not a date',
    ],
    [
      'an era moved before the one it follows',
      { pricing_pmp_2025_at: '2024-10-01' },
      'pricing_pmp_2025_at: 2024-10-01 must come after pricing_free_service_at (2024-11-01, the default): each pricing era starts after the one before it',
    ],
    [
      'an era moved past the default start of the next one',
      { pricing_cbp_2023_at: '2025-01-01' },
      'pricing_cbp_2023_at: 2025-01-01 must come before pricing_free_service_at (2024-11-01, the default): each pricing era starts after the one before it',
    ],
    [
      'two eras on the same instant',
      { pricing_cbp_2022_at: '2023-01-01', pricing_cbp_2023_at: '2023-01-01' },
      'pricing_cbp_2023_at: 2023-01-01 must come after pricing_cbp_2022_at (2023-01-01): each pricing era starts after the one before it',
    ],
    [
      'the 2026 change, switched on, before per-message pricing',
      { pricing_2026: true, pricing_2026_at: '2025-06-01' },
      'pricing_2026_at: 2025-06-01 must come after pricing_pmp_2025_at (2025-07-01, the default)',
    ],
    ['an empty stop keyword list', { stop_keywords: [] }, 'stop_keywords:'],
    ['an empty stop keyword', { stop_keywords: ['STOP', ''] }, 'stop_keywords[1]:'],
    ['an unknown stop keyword scope', { stop_keyword_scope: 'utility' }, 'stop_keyword_scope:'],
    ['a negative free tier', { free_tier_conversations_per_month: -1 }, 'free_tier_conversations_per_month:'],
    [
      'a fractional free tier',
      { free_tier_conversations_per_month: 2.5 },
      'free_tier_conversations_per_month:',
    ],
  ])('rejects %s', (_name, input, problem) => {
    expect(problemsOf(input).join('\n')).toContain(problem)
  })
})

describe('dateOrInstant', () => {
  it.each([
    ['2020-03-04', '2020-03-04T00:00:00.000Z'],
    ['2020-03-04T00:00:00Z', '2020-03-04T00:00:00.000Z'],
    ['2020-03-04T08:30:00-05:00', '2020-03-04T13:30:00.000Z'],
  ])('reads %j as %s', (text, iso) => {
    expect(new Date(dateOrInstant.parse(text)).toISOString()).toBe(iso)
  })

  it.each(['2020-3-4', '04-03-2020', '2020-03-04 10:00', '2021-02-29'])('rejects %j', (text) => {
    expect(dateOrInstant.safeParse(text).success).toBe(false)
  })
})
