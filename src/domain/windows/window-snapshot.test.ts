import { describe, expect, it } from 'vitest'
import { PLATFORMS } from '../platform.js'
import { MESSENGER_POLICY_CHANGE_BRIEF, MESSENGER_POLICY_CHANGE_META, policySettings } from '../settings.js'
import { businessMessage, userMessage, titled } from '../testing/builders.js'
import { DAY_MS, HOUR_MS, parseInstant, utcDate } from '../time.js'
import type { ContactEvent } from './contact-events.js'
import { foldHistory, NEW_CONTACT } from './contact-state.js'
import {
  CARE_WINDOW_MS,
  FREE_ENTRY_POINT_MS,
  FREE_ENTRY_POINT_REPLY_MS,
  HUMAN_AGENT_WINDOW_MS,
  MESSENGER_AD_WINDOW_MS,
} from './window-durations.js'
import { isHistory, windowAt } from './window-snapshot.js'

const SETTINGS = policySettings()
const LAST = parseInstant('2024-03-01T10:00:00Z')!
const MESSENGER_LAST = parseInstant('2019-12-01T10:00:00Z')!

const messengerSent = (at: number) =>
  businessMessage(at, { type: 'messenger', messagingType: 'RESPONSE', tag: null })

describe('window durations', () => {
  it('are the lengths the rules are written in', () => {
    expect(CARE_WINDOW_MS).toBe(24 * HOUR_MS)
    expect(FREE_ENTRY_POINT_MS).toBe(72 * HOUR_MS)
    expect(FREE_ENTRY_POINT_REPLY_MS).toBe(24 * HOUR_MS)
    expect(MESSENGER_AD_WINDOW_MS).toBe(7 * DAY_MS)
    expect(HUMAN_AGENT_WINDOW_MS).toBe(7 * DAY_MS)
  })
})

describe('windowAt', () => {
  it.each(PLATFORMS)('is closed on %s for a contact who never wrote (CCW-1)', (platform) => {
    const window = windowAt(platform, [], LAST, SETTINGS)
    expect(window).toMatchObject({
      state: 'closed',
      openedAt: null,
      lastUserMessageAt: null,
      expiresAt: null,
    })
  })

  it('reports a WhatsApp contact who never wrote as a closed customer care window with no +1', () => {
    expect(windowAt('whatsapp', [], LAST, SETTINGS)).toEqual({
      state: 'closed',
      type: 'customer_care',
      openedAt: null,
      lastUserMessageAt: null,
      expiresAt: null,
      freeEntryPointExpiresAt: null,
      humanAgentExpiresAt: null,
      plusOne: null,
    })
  })

  it('reports a Messenger user who never wrote as a closed standard window without a +1', () => {
    expect(windowAt('messenger', [], MESSENGER_LAST, SETTINGS)).toMatchObject({
      type: 'messenger_standard',
      humanAgentExpiresAt: null,
      plusOne: 'none',
    })
  })

  it.each(
    titled(
      (row) => `is ${row.state} on WhatsApp ${row.when} (CCW-4)`,
      [
        { when: 'at the message', delay: 0, state: 'open' },
        { when: '24 h − 1 ms after it', delay: 24 * HOUR_MS - 1, state: 'open' },
        { when: '24 h after it', delay: 24 * HOUR_MS, state: 'closed' },
        { when: '24 h + 1 ms after it', delay: 24 * HOUR_MS + 1, state: 'closed' },
      ],
    ),
  )('%s', (_title, { delay, state }) => {
    const window = windowAt('whatsapp', [userMessage(LAST)], LAST + delay, SETTINGS)
    expect(window).toMatchObject({
      state,
      type: 'customer_care',
      openedAt: LAST,
      lastUserMessageAt: LAST,
      expiresAt: LAST + 24 * HOUR_MS,
      humanAgentExpiresAt: null,
      plusOne: null,
    })
  })

  it.each(
    titled(
      (row) => `is ${row.state} (${row.type}) on Messenger ${row.when} after the user’s last message (MSG-1)`,
      [
        { when: '24 h − 1 ms', delay: 24 * HOUR_MS - 1, state: 'open', type: 'messenger_standard' },
        { when: '24 h', delay: 24 * HOUR_MS, state: 'closed', type: 'human_agent' },
        { when: '24 h + 1 ms', delay: 24 * HOUR_MS + 1, state: 'closed', type: 'human_agent' },
      ],
    ),
  )('%s', (_title, { delay, state, type }) => {
    const window = windowAt('messenger', [userMessage(MESSENGER_LAST)], MESSENGER_LAST + delay, SETTINGS)
    expect(window).toMatchObject({ state, type, expiresAt: MESSENGER_LAST + 24 * HOUR_MS })
  })

  it.each(
    titled(
      (row) => `is of type ${row.type} ${row.when} after the user’s last message (MSG-3 human agent horizon)`,
      [
        { when: '7 days − 1 ms', delay: 7 * DAY_MS - 1, type: 'human_agent' },
        { when: '7 days', delay: 7 * DAY_MS, type: 'messenger_standard' },
        { when: '7 days + 1 ms', delay: 7 * DAY_MS + 1, type: 'messenger_standard' },
      ],
    ),
  )('%s', (_title, { delay, type }) => {
    const window = windowAt('messenger', [userMessage(MESSENGER_LAST)], MESSENGER_LAST + delay, SETTINGS)
    expect(window).toMatchObject({
      state: 'closed',
      type,
      humanAgentExpiresAt: MESSENGER_LAST + 7 * DAY_MS,
    })
  })

  it.each(
    titled(
      (row) =>
        `is ${row.state} (${row.type}) ${row.when} after a message from a click-to-Messenger ad (MSG-AD)`,
      [
        { when: '7 days − 1 ms', delay: 7 * DAY_MS - 1, state: 'open', type: 'messenger_ad' },
        { when: '7 days', delay: 7 * DAY_MS, state: 'closed', type: 'messenger_standard' },
        { when: '7 days + 1 ms', delay: 7 * DAY_MS + 1, state: 'closed', type: 'messenger_standard' },
      ],
    ),
  )('%s', (_title, { delay, state, type }) => {
    const history = [userMessage(MESSENGER_LAST, { referral: 'ad' })]
    const window = windowAt('messenger', history, MESSENGER_LAST + delay, SETTINGS)
    expect(window).toMatchObject({ state, type, expiresAt: MESSENGER_LAST + 7 * DAY_MS })
  })

  it('keeps the standard window type once a later message outlasts the ad window', () => {
    const history = [
      userMessage(MESSENGER_LAST, { referral: 'ad' }),
      userMessage(MESSENGER_LAST + 7 * DAY_MS - HOUR_MS),
    ]
    const window = windowAt('messenger', history, MESSENGER_LAST + 7 * DAY_MS, SETTINGS)
    expect(window).toMatchObject({
      state: 'open',
      type: 'messenger_standard',
      expiresAt: MESSENGER_LAST + 8 * DAY_MS - HOUR_MS,
    })
  })

  it('restarts the 24 h with every new user message (CCW-4)', () => {
    const history = [userMessage(LAST), userMessage(LAST + 20 * HOUR_MS)]
    const window = windowAt('whatsapp', history, LAST + 30 * HOUR_MS, SETTINGS)
    expect(window).toMatchObject({ state: 'open', openedAt: LAST, expiresAt: LAST + 44 * HOUR_MS })
  })

  it('ignores messages the business sends (CCW-1)', () => {
    const history = [userMessage(LAST), businessMessage(LAST + 23 * HOUR_MS)]
    expect(windowAt('whatsapp', history, LAST + 24 * HOUR_MS, SETTINGS).state).toBe('closed')
  })

  it('accepts a state already folded up to the instant', () => {
    const history: ContactEvent[] = [userMessage(LAST)]
    const state = foldHistory('whatsapp', history, LAST + HOUR_MS, SETTINGS)
    expect(windowAt('whatsapp', state, LAST + HOUR_MS, SETTINGS)).toEqual(
      windowAt('whatsapp', history, LAST + HOUR_MS, SETTINGS),
    )
  })

  it('isHistory tells a history from a folded state', () => {
    expect(isHistory([])).toBe(true)
    expect(isHistory(NEW_CONTACT)).toBe(false)
  })
})

describe('the WhatsApp free entry point window (FEP-1)', () => {
  const entry = parseInstant('2025-09-01T10:00:00Z')!
  const reply = entry + 2 * HOUR_MS
  const history = [userMessage(entry, { referral: 'ad' }), businessMessage(reply)]

  it('is a free entry point before the first reply, with no end known yet', () => {
    const window = windowAt('whatsapp', [userMessage(entry, { referral: 'cta' })], entry, SETTINGS)
    expect(window).toMatchObject({ state: 'open', type: 'free_entry_point', freeEntryPointExpiresAt: null })
  })

  it.each(
    titled(
      (row) => `is of type ${row.type} ${row.when} after the reply that opened the free window`,
      [
        {
          when: '72 h − 1 ms',
          delay: 72 * HOUR_MS - 1,
          type: 'free_entry_point',
          freeEntryPointExpiresAt: reply + 72 * HOUR_MS,
        },
        { when: '72 h', delay: 72 * HOUR_MS, type: 'customer_care', freeEntryPointExpiresAt: null },
        {
          when: '72 h + 1 ms',
          delay: 72 * HOUR_MS + 1,
          type: 'customer_care',
          freeEntryPointExpiresAt: null,
        },
      ],
    ),
  )('%s', (_title, { delay, type, freeEntryPointExpiresAt }) => {
    expect(windowAt('whatsapp', history, reply + delay, SETTINGS)).toMatchObject({
      type,
      freeEntryPointExpiresAt,
    })
  })

  it('keeps the customer care window at 24 h while the free window runs', () => {
    expect(windowAt('whatsapp', history, entry + 24 * HOUR_MS, SETTINGS)).toMatchObject({
      state: 'closed',
      type: 'free_entry_point',
      expiresAt: entry + 24 * HOUR_MS,
    })
  })

  it('is not earned by a reply 24 h after the entry-point message', () => {
    const late = [userMessage(entry, { referral: 'ad' }), businessMessage(entry + 24 * HOUR_MS)]
    expect(windowAt('whatsapp', late, entry + 24 * HOUR_MS, SETTINGS).type).toBe('customer_care')
  })

  it('did not exist before conversation-based pricing (2022-02-01)', () => {
    const nbp = utcDate('2021-06-01')
    const window = windowAt(
      'whatsapp',
      [userMessage(nbp, { referral: 'ad' }), businessMessage(nbp)],
      nbp,
      SETTINGS,
    )
    expect(window).toMatchObject({ type: 'customer_care', freeEntryPointExpiresAt: null })
  })
})

describe('the Messenger +1 (MSG-2)', () => {
  const closedAt = MESSENGER_LAST + 24 * HOUR_MS

  it('is available after the window until it is used', () => {
    expect(windowAt('messenger', [userMessage(MESSENGER_LAST)], closedAt, SETTINGS).plusOne).toBe('available')
    const used = [userMessage(MESSENGER_LAST), messengerSent(closedAt)]
    expect(windowAt('messenger', used, closedAt + HOUR_MS, SETTINGS).plusOne).toBe('used')
  })

  it.each([
    ['the brief’s default, 2020-01-15', policySettings(), MESSENGER_POLICY_CHANGE_BRIEF],
    [
      'Meta’s date, 2020-03-04',
      policySettings({ messengerPolicyChangeAt: MESSENGER_POLICY_CHANGE_META }),
      MESSENGER_POLICY_CHANGE_META,
    ],
  ])('expires at the cut-off (%s)', (_label, settings, cutOff) => {
    const history = [userMessage(cutOff - 3 * DAY_MS)]
    expect(windowAt('messenger', history, cutOff - 1, settings).plusOne).toBe('available')
    expect(windowAt('messenger', history, cutOff, settings).plusOne).toBe('expired')
  })
})
