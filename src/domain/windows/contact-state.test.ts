import { describe, expect, it } from 'vitest'
import { MESSENGER_POLICY_CHANGE_BRIEF, policySettings } from '../settings.js'
import { businessMessage, userMessage, titled } from '../testing/builders.js'
import { DAY_MS, HOUR_MS, parseInstant } from '../time.js'
import type { ContactEvent } from './contact-events.js'
import {
  applyEvent,
  foldHistory,
  isEntryPointOpen,
  isEntryPointPending,
  NEW_CONTACT,
  windowExpiresAt,
  type ContactState,
} from './contact-state.js'

const SETTINGS = policySettings()
const T = parseInstant('2024-03-01T10:00:00Z')!
const PMP_T = parseInstant('2025-09-01T10:00:00Z')!
const CBP_T = parseInstant('2023-09-01T10:00:00Z')!
const MESSENGER_T = parseInstant('2019-12-01T10:00:00Z')!

function fold(history: readonly ContactEvent[], at: number, platform: 'whatsapp' | 'messenger' = 'whatsapp') {
  return foldHistory(platform, history, at, SETTINGS)
}

function applyAll(platform: 'whatsapp' | 'messenger', events: readonly ContactEvent[]): ContactState {
  return events.reduce<ContactState>(
    (state, event) => applyEvent(state, platform, event, SETTINGS),
    NEW_CONTACT,
  )
}

describe('foldHistory', () => {
  it('leaves a contact without history as a new contact whose window never opened (CCW-1)', () => {
    expect(fold([], T)).toEqual(NEW_CONTACT)
    expect(NEW_CONTACT.lastUserMessageAt).toBeNull()
  })

  it('records the user message that opens the first window (CCW-1)', () => {
    const state = fold([userMessage(T)], T + HOUR_MS)
    expect(state).toMatchObject({ lastUserMessageAt: T, openedAt: T, windowsOpened: 1, asOf: T })
  })

  it('moves the last user message forward but keeps the run’s opening while windows overlap (CCW-4)', () => {
    const state = fold([userMessage(T), userMessage(T + 24 * HOUR_MS - 1)], T + 2 * DAY_MS)
    expect(state).toMatchObject({ lastUserMessageAt: T + 24 * HOUR_MS - 1, openedAt: T, windowsOpened: 1 })
  })

  it.each([
    ['24 h', 24 * HOUR_MS],
    ['24 h + 1 ms', 24 * HOUR_MS + 1],
  ])('counts a message %s after the last one as opening a new window (CCW-8)', (_label, delay) => {
    const state = fold([userMessage(T), userMessage(T + delay)], T + 3 * DAY_MS)
    expect(state).toMatchObject({ lastUserMessageAt: T + delay, openedAt: T + delay, windowsOpened: 2 })
  })

  it.each(['system', 'unsupported', 'unknown'])(
    'ignores a %s notice: it neither opens nor extends the window (CCW-1)',
    (messageType) => {
      const state = fold([userMessage(T), userMessage(T + HOUR_MS, { messageType })], T + 2 * HOUR_MS)
      expect(state).toMatchObject({ lastUserMessageAt: T, windowsOpened: 1, asOf: T + HOUR_MS })
    },
  )

  it('never opens or extends a window for messages the business sends (CCW-1)', () => {
    const state = fold(
      [businessMessage(T), userMessage(T + HOUR_MS), businessMessage(T + 2 * HOUR_MS)],
      T + DAY_MS,
    )
    expect(state).toMatchObject({
      lastUserMessageAt: T + HOUR_MS,
      openedAt: T + HOUR_MS,
      asOf: T + 2 * HOUR_MS,
    })
  })

  it('ignores events after the instant, so a past instant can be replayed, and includes events at it', () => {
    const history = [userMessage(T), userMessage(T + 2 * DAY_MS)]
    expect(fold(history, T + 2 * DAY_MS - 1).lastUserMessageAt).toBe(T)
    expect(fold(history, T + 2 * DAY_MS).lastUserMessageAt).toBe(T + 2 * DAY_MS)
  })

  it('applies an unsorted history in time order', () => {
    const sorted = [userMessage(T), userMessage(T + 2 * DAY_MS), userMessage(T + 2 * DAY_MS + HOUR_MS)]
    const shuffled = [sorted[2]!, sorted[0]!, sorted[1]!]
    expect(fold(shuffled, T + 3 * DAY_MS)).toEqual(fold(sorted, T + 3 * DAY_MS))
    expect(fold(shuffled, T + 3 * DAY_MS)).toMatchObject({ windowsOpened: 2, openedAt: T + 2 * DAY_MS })
  })

  it('keeps events at the same instant in the order given', () => {
    const closedAt = MESSENGER_T + DAY_MS
    const plusOneThenReply = [userMessage(MESSENGER_T), messengerResponse(closedAt), userMessage(closedAt)]
    const replyThenMessage = [userMessage(MESSENGER_T), userMessage(closedAt), messengerResponse(closedAt)]
    expect(fold(plusOneThenReply, closedAt, 'messenger').plusOneUsedAt).toBe(closedAt)
    expect(fold(replyThenMessage, closedAt, 'messenger').plusOneUsedAt).toBeNull()
  })
})

describe('applyEvent', () => {
  it('returns a new state and leaves the old one untouched', () => {
    const next = applyEvent(NEW_CONTACT, 'whatsapp', userMessage(T), SETTINGS)
    expect(next).not.toBe(NEW_CONTACT)
    expect(NEW_CONTACT.lastUserMessageAt).toBeNull()
    expect(next.lastUserMessageAt).toBe(T)
  })

  it('agrees with foldHistory when events arrive in order', () => {
    const history = [userMessage(T), businessMessage(T + HOUR_MS), userMessage(T + 3 * DAY_MS)]
    expect(applyAll('whatsapp', history)).toEqual(fold(history, T + 3 * DAY_MS))
  })

  it('never moves the last user message back when a late, older message arrives (CCW-4)', () => {
    const state = applyAll('whatsapp', [userMessage(T + 5 * HOUR_MS), userMessage(T)])
    expect(state).toMatchObject({ lastUserMessageAt: T + 5 * HOUR_MS, asOf: T + 5 * HOUR_MS })
  })

  it('extends the run backwards when a late message belongs to it', () => {
    const state = applyAll('whatsapp', [userMessage(T + 5 * HOUR_MS), userMessage(T)])
    expect(state).toMatchObject({ openedAt: T, windowsOpened: 1 })
  })

  it('keeps the run’s opening when a late message is from an earlier window that had closed', () => {
    const late = userMessage(T)
    const current = userMessage(T + 4 * DAY_MS)
    expect(applyAll('whatsapp', [current, late]).openedAt).toBe(T + 4 * DAY_MS)
    expect(fold([late, current], T + 4 * DAY_MS).openedAt).toBe(T + 4 * DAY_MS)
  })

  it('extends a Messenger run backwards when a late message from an ad opened a 7-day window (MSG-AD)', () => {
    const current = userMessage(MESSENGER_T + 5 * DAY_MS)
    const lateFromAd = userMessage(MESSENGER_T, { referral: 'ad' })
    expect(applyAll('messenger', [current, lateFromAd]).openedAt).toBe(MESSENGER_T)
    expect(fold([lateFromAd, current], MESSENGER_T + 5 * DAY_MS, 'messenger').openedAt).toBe(MESSENGER_T)
  })

  it('keeps the newest instant seen as asOf', () => {
    const state = applyAll('whatsapp', [userMessage(T + HOUR_MS), businessMessage(T)])
    expect(state.asOf).toBe(T + HOUR_MS)
  })
})

function messengerResponse(at: number, messagingType: 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG' = 'RESPONSE') {
  return businessMessage(at, {
    type: 'messenger',
    messagingType,
    tag: messagingType === 'MESSAGE_TAG' ? 'HUMAN_AGENT' : null,
  })
}

describe('the Messenger +1 (MSG-2)', () => {
  const closedAt = MESSENGER_T + DAY_MS

  it.each([
    ['RESPONSE', 'RESPONSE' as const],
    ['UPDATE', 'UPDATE' as const],
  ])('marks the +1 as used by a %s message after the window', (_label, messagingType) => {
    const state = fold(
      [userMessage(MESSENGER_T), messengerResponse(closedAt, messagingType)],
      closedAt,
      'messenger',
    )
    expect(state.plusOneUsedAt).toBe(closedAt)
  })

  it('does not use the +1 for a message inside the window, 1 ms before it closes', () => {
    const state = fold([userMessage(MESSENGER_T), messengerResponse(closedAt - 1)], closedAt, 'messenger')
    expect(state.plusOneUsedAt).toBeNull()
  })

  it('does not use the +1 for a tagged message (MSG-3)', () => {
    const state = fold(
      [userMessage(MESSENGER_T), messengerResponse(closedAt, 'MESSAGE_TAG')],
      closedAt,
      'messenger',
    )
    expect(state.plusOneUsedAt).toBeNull()
  })

  it('does not record a +1 when the user never wrote', () => {
    expect(fold([messengerResponse(MESSENGER_T)], MESSENGER_T, 'messenger').plusOneUsedAt).toBeNull()
  })

  it('does not record a +1 from the cut-off on, when there is none', () => {
    const last = MESSENGER_POLICY_CHANGE_BRIEF - 2 * DAY_MS
    const state = fold(
      [userMessage(last), messengerResponse(MESSENGER_POLICY_CHANGE_BRIEF)],
      MESSENGER_POLICY_CHANGE_BRIEF,
      'messenger',
    )
    expect(state.plusOneUsedAt).toBeNull()
  })

  it('keeps the first +1 when later messages follow', () => {
    const history = [
      userMessage(MESSENGER_T),
      messengerResponse(closedAt),
      messengerResponse(closedAt + HOUR_MS),
    ]
    expect(fold(history, closedAt + HOUR_MS, 'messenger').plusOneUsedAt).toBe(closedAt)
  })

  it('gives a fresh +1 after each new user message', () => {
    const history = [userMessage(MESSENGER_T), messengerResponse(closedAt), userMessage(closedAt + HOUR_MS)]
    expect(fold(history, closedAt + HOUR_MS, 'messenger').plusOneUsedAt).toBeNull()
  })

  it('does not give a fresh +1 for a late message older than the +1', () => {
    const state = applyAll('messenger', [
      userMessage(MESSENGER_T),
      messengerResponse(closedAt),
      userMessage(MESSENGER_T + HOUR_MS),
    ])
    expect(state.plusOneUsedAt).toBe(closedAt)
  })

  it('never records a +1 on WhatsApp', () => {
    expect(fold([userMessage(T), businessMessage(T + 2 * DAY_MS)], T + 2 * DAY_MS).plusOneUsedAt).toBeNull()
  })
})

describe('the free entry point (FEP-1)', () => {
  it.each(['ad', 'cta'] as const)('waits for the first reply to a message from a WhatsApp %s', (referral) => {
    const state = fold([userMessage(PMP_T, { referral })], PMP_T)
    expect(state).toMatchObject({ referralAt: PMP_T, entryPointOpenedAt: null })
  })

  it('does not count a link or QR code as an entry point', () => {
    expect(fold([userMessage(PMP_T, { referral: 'link' })], PMP_T).referralAt).toBeNull()
  })

  it.each([
    ['at once', 0],
    ['24 h − 1 ms later', 24 * HOUR_MS - 1],
  ])('opens the free window with a reply sent %s', (_label, delay) => {
    const reply = PMP_T + delay
    const state = fold([userMessage(PMP_T, { referral: 'ad' }), businessMessage(reply)], reply)
    expect(state).toMatchObject({ referralAt: null, entryPointOpenedAt: reply })
  })

  it('does not open the free window with a reply 24 h after the entry-point message', () => {
    const reply = PMP_T + 24 * HOUR_MS
    const state = fold([userMessage(PMP_T, { referral: 'ad' }), businessMessage(reply)], reply)
    expect(state).toMatchObject({ referralAt: PMP_T, entryPointOpenedAt: null })
  })

  it('ignores a new entry-point message while the free window runs, and counts one after it', () => {
    const reply = PMP_T + HOUR_MS
    const running = [userMessage(PMP_T, { referral: 'ad' }), businessMessage(reply)]
    expect(
      fold([...running, userMessage(reply + 71 * HOUR_MS, { referral: 'ad' })], reply + 72 * HOUR_MS),
    ).toMatchObject({ referralAt: null, entryPointOpenedAt: reply })
    expect(
      fold([...running, userMessage(reply + 72 * HOUR_MS, { referral: 'ad' })], reply + 72 * HOUR_MS),
    ).toMatchObject({ referralAt: reply + 72 * HOUR_MS, entryPointOpenedAt: reply })
  })

  it('does not set a Messenger ad window for a WhatsApp ad', () => {
    expect(fold([userMessage(PMP_T, { referral: 'ad' })], PMP_T).adWindowExpiresAt).toBeNull()
  })

  it('isEntryPointPending holds for 24 h after the entry-point message', () => {
    const state = fold([userMessage(PMP_T, { referral: 'ad' })], PMP_T)
    expect(isEntryPointPending(state, PMP_T + 24 * HOUR_MS - 1)).toBe(true)
    expect(isEntryPointPending(state, PMP_T + 24 * HOUR_MS)).toBe(false)
    expect(isEntryPointPending(NEW_CONTACT, PMP_T)).toBe(false)
  })

  it.each(
    titled(
      (row) => `isEntryPointOpen is ${row.expected} ${row.when} after the reply that opened the free window`,
      [
        { when: '72 h − 1 ms', delay: 72 * HOUR_MS - 1, expected: true },
        { when: '72 h', delay: 72 * HOUR_MS, expected: false },
        { when: '72 h + 1 ms', delay: 72 * HOUR_MS + 1, expected: false },
      ],
    ),
  )('%s', (_title, { delay, expected }) => {
    const reply = PMP_T + HOUR_MS
    const state = fold([userMessage(PMP_T, { referral: 'cta' }), businessMessage(reply)], reply)
    expect(isEntryPointOpen(state, reply + delay)).toBe(expected)
  })

  it('isEntryPointOpen holds before the reply, while the reply can still earn the window', () => {
    const state = fold([userMessage(PMP_T, { referral: 'ad' })], PMP_T)
    expect(isEntryPointOpen(state, PMP_T + HOUR_MS)).toBe(true)
    expect(isEntryPointOpen(NEW_CONTACT, PMP_T)).toBe(false)
  })
})

describe('the Messenger ad window (MSG-AD)', () => {
  it('lasts 7 days from a message that came from a click-to-Messenger ad', () => {
    const state = fold([userMessage(MESSENGER_T, { referral: 'ad' })], MESSENGER_T, 'messenger')
    expect(state.adWindowExpiresAt).toBe(MESSENGER_T + 7 * DAY_MS)
  })

  it('is not opened by a Page call-to-action or a link', () => {
    const history = [
      userMessage(MESSENGER_T, { referral: 'cta' }),
      userMessage(MESSENGER_T + 1, { referral: 'link' }),
    ]
    expect(fold(history, MESSENGER_T + 1, 'messenger').adWindowExpiresAt).toBeNull()
  })

  it('is extended by a later ad message and never shortened by an older one', () => {
    const later = fold(
      [userMessage(MESSENGER_T, { referral: 'ad' }), userMessage(MESSENGER_T + DAY_MS, { referral: 'ad' })],
      MESSENGER_T + DAY_MS,
      'messenger',
    )
    expect(later.adWindowExpiresAt).toBe(MESSENGER_T + 8 * DAY_MS)
    const late = applyAll('messenger', [
      userMessage(MESSENGER_T + DAY_MS, { referral: 'ad' }),
      userMessage(MESSENGER_T, { referral: 'ad' }),
    ])
    expect(late.adWindowExpiresAt).toBe(MESSENGER_T + 8 * DAY_MS)
  })

  it('keeps a message 3 days after the ad message inside the same run', () => {
    const state = fold(
      [userMessage(MESSENGER_T, { referral: 'ad' }), userMessage(MESSENGER_T + 3 * DAY_MS)],
      MESSENGER_T + 3 * DAY_MS,
      'messenger',
    )
    expect(state).toMatchObject({ openedAt: MESSENGER_T, windowsOpened: 1 })
  })
})

describe('windowExpiresAt (CCW-4, MSG-1, MSG-AD)', () => {
  it('is 24 h after the last user message on WhatsApp, even with an ad window on record', () => {
    const state: ContactState = { ...NEW_CONTACT, adWindowExpiresAt: T + 7 * DAY_MS }
    expect(windowExpiresAt('whatsapp', state, T)).toBe(T + 24 * HOUR_MS)
  })

  it('is the end of the Messenger ad window while that is later than 24 h after the last message', () => {
    const state: ContactState = { ...NEW_CONTACT, adWindowExpiresAt: T + 7 * DAY_MS }
    expect(windowExpiresAt('messenger', state, T + DAY_MS)).toBe(T + 7 * DAY_MS)
    expect(windowExpiresAt('messenger', state, T + 7 * DAY_MS)).toBe(T + 8 * DAY_MS)
    expect(windowExpiresAt('messenger', NEW_CONTACT, T)).toBe(T + 24 * HOUR_MS)
  })
})

describe('conversations under conversation-based pricing', () => {
  it('records the conversation a business message opens', () => {
    const state = fold([userMessage(CBP_T), businessMessage(CBP_T + HOUR_MS)], CBP_T + HOUR_MS)
    expect(state.conversations).toEqual([
      { category: 'service', openedAt: CBP_T + HOUR_MS, expiresAt: CBP_T + 25 * HOUR_MS },
    ])
  })

  it('adds no conversation for a message inside an open one', () => {
    const history = [
      userMessage(CBP_T),
      businessMessage(CBP_T + HOUR_MS),
      businessMessage(CBP_T + 2 * HOUR_MS),
    ]
    expect(fold(history, CBP_T + 2 * HOUR_MS).conversations).toHaveLength(1)
  })

  it('drops expired conversations when a new one opens', () => {
    const history = [
      userMessage(CBP_T),
      businessMessage(CBP_T),
      userMessage(CBP_T + 2 * DAY_MS),
      businessMessage(CBP_T + 2 * DAY_MS),
    ]
    expect(fold(history, CBP_T + 2 * DAY_MS).conversations).toEqual([
      { category: 'service', openedAt: CBP_T + 2 * DAY_MS, expiresAt: CBP_T + 3 * DAY_MS },
    ])
  })

  it.each([
    ['notification-based', parseInstant('2021-06-01T10:00:00Z')!],
    ['per-message', PMP_T],
  ])('records no conversations under %s pricing', (_label, at) => {
    expect(fold([userMessage(at), businessMessage(at)], at).conversations).toEqual([])
  })

  it('records no conversations on Messenger', () => {
    const state = fold([userMessage(CBP_T), messengerResponse(CBP_T)], CBP_T, 'messenger')
    expect(state.conversations).toEqual([])
  })
})
