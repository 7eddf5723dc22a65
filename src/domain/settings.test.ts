import { describe, expect, it } from 'vitest'

import { DEFAULT_STOP_KEYWORDS } from './consent/stop-keywords.js'
import {
  DEFAULT_POLICY_SETTINGS,
  MESSENGER_POLICY_CHANGE_BRIEF,
  MESSENGER_POLICY_CHANGE_META,
  MESSENGER_TAG_RETIREMENT,
  PRICING_2026_CHANGE,
  PRICING_CBP_2022_START,
  PRICING_CBP_2023_START,
  PRICING_FREE_SERVICE_START,
  PRICING_PMP_2025_START,
  policySettings,
  type PolicySettings,
} from './settings.js'
import { utcDate } from './time.js'

describe('policy dates', () => {
  it.each([
    ['the brief’s 24+1 cut-off', MESSENGER_POLICY_CHANGE_BRIEF, '2020-01-15'],
    ['Meta’s moved 24+1 cut-off', MESSENGER_POLICY_CHANGE_META, '2020-03-04'],
    ['the Messenger tag retirement', MESSENGER_TAG_RETIREMENT, '2026-04-27'],
    ['conversation-based pricing', PRICING_CBP_2022_START, '2022-02-01'],
    ['the four conversation categories', PRICING_CBP_2023_START, '2023-06-01'],
    ['free service conversations', PRICING_FREE_SERVICE_START, '2024-11-01'],
    ['per-message pricing', PRICING_PMP_2025_START, '2025-07-01'],
    ['the reported 2026 pricing change', PRICING_2026_CHANGE, '2026-10-01'],
  ])('dates %s at midnight UTC on %s', (_label, at, date) => {
    expect(at).toBe(utcDate(date))
  })
})

describe('policySettings', () => {
  it('defaults to the brief: 24+1 cut-off on 2020-01-15, CCW-7 on, 2026 pricing off', () => {
    const settings = policySettings()
    expect(settings).toEqual({
      issueResolutionWithoutOptIn: true,
      messengerPolicyChangeAt: utcDate('2020-01-15'),
      messengerTagRetirementAt: utcDate('2026-04-27'),
      pricingCbp2022At: utcDate('2022-02-01'),
      pricingCbp2023At: utcDate('2023-06-01'),
      pricingFreeServiceAt: utcDate('2024-11-01'),
      pricingPmp2025At: utcDate('2025-07-01'),
      pricing2026Enabled: false,
      pricing2026At: utcDate('2026-10-01'),
      stopKeywords: DEFAULT_STOP_KEYWORDS,
      stopKeywordScope: 'marketing',
      freeTierConversationsPerMonth: 1000,
      autoTagHumanAgent: false,
    })
    expect(settings).toEqual(DEFAULT_POLICY_SETTINGS)
  })

  it('applies the overrides and keeps the defaults for the rest', () => {
    const settings = policySettings({
      messengerPolicyChangeAt: MESSENGER_POLICY_CHANGE_META,
      issueResolutionWithoutOptIn: false,
      pricing2026Enabled: true,
      stopKeywords: ['HALT'],
      stopKeywordScope: 'all',
    })
    expect(settings).toEqual({
      ...DEFAULT_POLICY_SETTINGS,
      messengerPolicyChangeAt: utcDate('2020-03-04'),
      issueResolutionWithoutOptIn: false,
      pricing2026Enabled: true,
      stopKeywords: ['HALT'],
      stopKeywordScope: 'all',
    })
  })

  it('keeps falsy overrides such as false and 0', () => {
    const settings = policySettings({ issueResolutionWithoutOptIn: false, freeTierConversationsPerMonth: 0 })
    expect(settings.issueResolutionWithoutOptIn).toBe(false)
    expect(settings.freeTierConversationsPerMonth).toBe(0)
  })

  it('keeps the default for an override given as undefined', () => {
    const unset: Partial<PolicySettings> = {
      messengerPolicyChangeAt: undefined,
      issueResolutionWithoutOptIn: undefined,
      pricing2026Enabled: undefined,
    }
    expect(policySettings(unset)).toEqual(DEFAULT_POLICY_SETTINGS)
  })

  it('returns a frozen object and leaves the defaults and the overrides untouched', () => {
    const overrides: Partial<PolicySettings> = { pricing2026Enabled: true }
    const settings = policySettings(overrides)
    expect(Object.isFrozen(settings)).toBe(true)
    expect(Object.isFrozen(DEFAULT_POLICY_SETTINGS)).toBe(true)
    expect(() => {
      ;(settings as { pricing2026Enabled: boolean }).pricing2026Enabled = false
    }).toThrow(TypeError)
    expect(DEFAULT_POLICY_SETTINGS.pricing2026Enabled).toBe(false)
    expect(overrides).toEqual({ pricing2026Enabled: true })
  })
})
