import { describe, expect, it } from 'vitest'
import {
  DEFAULT_POLICY_SETTINGS,
  MESSENGER_POLICY_CHANGE_BRIEF,
  MESSENGER_POLICY_CHANGE_META,
  MESSENGER_TAG_RETIREMENT,
  policySettings,
} from '../settings.js'
import { utcDate } from '../time.js'
import {
  HUMAN_AGENT_TAG,
  LEGACY_MESSAGE_TAGS,
  messageTagAt,
  POLICY_2020_MESSAGE_TAGS,
} from './messenger-tags.js'

const BEFORE_CUT_OFF = utcDate('2019-12-01')
const AFTER_CUT_OFF = utcDate('2021-06-01')
const META_DATES = policySettings({ messengerPolicyChangeAt: MESSENGER_POLICY_CHANGE_META })

const tagAt = (tag: string, at: number) => messageTagAt(tag, at, DEFAULT_POLICY_SETTINGS)

describe('messageTagAt (MSG-3)', () => {
  it('lists the 2020 tags, HUMAN_AGENT among them', () => {
    expect(POLICY_2020_MESSAGE_TAGS).toEqual([
      'CONFIRMED_EVENT_UPDATE',
      'POST_PURCHASE_UPDATE',
      'ACCOUNT_UPDATE',
      'HUMAN_AGENT',
    ])
    expect(HUMAN_AGENT_TAG).toBe('HUMAN_AGENT')
  })

  it.each(['2019-12-01', '2021-06-01', '2026-04-27', '2030-01-01'])(
    'accepts HUMAN_AGENT at any date, here %s',
    (date) => {
      expect(tagAt(HUMAN_AGENT_TAG, utcDate(date))).toEqual({ allowed: true })
    },
  )

  it.each(['PROMOTION', 'human_agent', ''])('refuses "%s", which is not a tag', (tag) => {
    expect(tagAt(tag, AFTER_CUT_OFF)).toEqual({
      allowed: false,
      reason: 'TAG_UNKNOWN',
      details: `"${tag}" is not a Messenger message tag; use one of CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE, ACCOUNT_UPDATE, HUMAN_AGENT.`,
    })
  })

  it.each(Object.keys(LEGACY_MESSAGE_TAGS))('accepts the pre-2020 tag %s before the cut-off', (tag) => {
    expect(tagAt(tag, MESSENGER_POLICY_CHANGE_BRIEF - 1)).toEqual({ allowed: true })
  })

  it.each(Object.keys(LEGACY_MESSAGE_TAGS).filter((tag) => tag !== 'ACCOUNT_UPDATE'))(
    'refuses the pre-2020 tag %s from the cut-off',
    (tag) => {
      expect(tagAt(tag, MESSENGER_POLICY_CHANGE_BRIEF)).toMatchObject({
        allowed: false,
        reason: 'TAG_NOT_ALLOWED',
      })
    },
  )

  it('names the replacement of a retired pre-2020 tag', () => {
    expect(tagAt('SHIPPING_UPDATE', AFTER_CUT_OFF)).toEqual({
      allowed: false,
      reason: 'TAG_NOT_ALLOWED',
      details:
        'SHIPPING_UPDATE was retired on 2020-01-15 00:00 UTC; use POST_PURCHASE_UPDATE where its rules fit.',
    })
  })

  it('says only that a pre-2020 tag without a replacement was retired', () => {
    expect(tagAt('GAME_EVENT', AFTER_CUT_OFF)).toEqual({
      allowed: false,
      reason: 'TAG_NOT_ALLOWED',
      details: 'GAME_EVENT was retired on 2020-01-15 00:00 UTC.',
    })
  })

  it.each(['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE'])(
    'refuses the 2020 tag %s before the 2020 policy takes effect',
    (tag) => {
      expect(tagAt(tag, BEFORE_CUT_OFF)).toEqual({
        allowed: false,
        reason: 'TAG_NOT_ALLOWED',
        details: `${tag} is only accepted from 2020-01-15 00:00 UTC, when the 2020 message tag policy takes effect.`,
      })
    },
  )

  it('accepts ACCOUNT_UPDATE, which is in both lists, on both sides of the cut-off', () => {
    expect(tagAt('ACCOUNT_UPDATE', MESSENGER_POLICY_CHANGE_BRIEF - 1)).toEqual({ allowed: true })
    expect(tagAt('ACCOUNT_UPDATE', MESSENGER_POLICY_CHANGE_BRIEF)).toEqual({ allowed: true })
  })

  it.each(['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE'])(
    'accepts %s until 2026-04-27 and answers error 100 from that instant',
    (tag) => {
      expect(tagAt(tag, MESSENGER_TAG_RETIREMENT - 1)).toEqual({ allowed: true })
      expect(tagAt(tag, MESSENGER_TAG_RETIREMENT)).toEqual({
        allowed: false,
        reason: 'TAG_NOT_ALLOWED',
        details: `${tag} was retired on 2026-04-27 00:00 UTC; Meta answers it with error 100. Only HUMAN_AGENT remains.`,
      })
    },
  )

  it('moves the switch to 2020-03-04 with Meta’s date', () => {
    const between = utcDate('2020-02-01')
    expect(messageTagAt('SHIPPING_UPDATE', between, META_DATES)).toEqual({ allowed: true })
    expect(messageTagAt('POST_PURCHASE_UPDATE', between, META_DATES)).toMatchObject({ allowed: false })
    expect(messageTagAt('SHIPPING_UPDATE', MESSENGER_POLICY_CHANGE_META - 1, META_DATES)).toEqual({
      allowed: true,
    })
    expect(messageTagAt('SHIPPING_UPDATE', MESSENGER_POLICY_CHANGE_META, META_DATES)).toMatchObject({
      allowed: false,
    })
    expect(messageTagAt('POST_PURCHASE_UPDATE', MESSENGER_POLICY_CHANGE_META, META_DATES)).toEqual({
      allowed: true,
    })
  })
})
