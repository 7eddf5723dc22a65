import type { Platform } from '../platform.js'
import { conversationFor, type Conversation } from '../pricing/conversations.js'
import { pricingEraAt } from '../pricing/pricing-eras.js'
import type { PolicySettings } from '../settings.js'
import type { Instant } from '../time.js'
import {
  CARE_WINDOW_MS,
  FREE_ENTRY_POINT_MS,
  FREE_ENTRY_POINT_REPLY_MS,
  MESSENGER_AD_WINDOW_MS,
} from './window-durations.js'
import { isUserMessage, type ContactEvent, type InboundEvent, type OutboundEvent } from './contact-events.js'

/**
 * Everything about a contact on one channel that the rules need, folded from its history. Small and
 * serialisable, so a store can keep it instead of the history and update it one event at a time.
 */
export interface ContactState {
  /** The newest user message (CCW-4: a late, older message never moves it back). */
  readonly lastUserMessageAt: Instant | null
  /** The first user message of the current run of overlapping windows. */
  readonly openedAt: Instant | null
  /** How many times a window opened from closed (CCW-8 when more than once). */
  readonly windowsOpened: number
  /** WhatsApp (FEP-1): an ad / call-to-action message still waiting for the business's first reply. */
  readonly referralAt: Instant | null
  /** WhatsApp (FEP-1): when the business's reply opened the 72 h free entry point window. */
  readonly entryPointOpenedAt: Instant | null
  /** Messenger (MSG-AD): the end of the 7-day window opened by a message from a click-to-Messenger ad. */
  readonly adWindowExpiresAt: Instant | null
  /** Messenger (MSG-2): when the +1 message after the current window was sent. */
  readonly plusOneUsedAt: Instant | null
  /** WhatsApp conversation-based pricing: the conversations opened so far that may still be open. */
  readonly conversations: readonly Conversation[]
  /** The newest event folded in. */
  readonly asOf: Instant | null
}

/** A contact we have never heard from: its window is closed (CCW-1). */
export const NEW_CONTACT: ContactState = Object.freeze({
  lastUserMessageAt: null,
  openedAt: null,
  windowsOpened: 0,
  referralAt: null,
  entryPointOpenedAt: null,
  adWindowExpiresAt: null,
  plusOneUsedAt: null,
  conversations: Object.freeze([]),
  asOf: null,
})

type Draft = { -readonly [K in keyof ContactState]: ContactState[K] }

/**
 * Folds a contact's history into its state as of `at`: events after `at` are ignored, so any past instant can
 * be replayed. Events are applied in time order (same-instant events in the order given).
 */
export function foldHistory(
  platform: Platform,
  history: readonly ContactEvent[],
  at: Instant,
  settings: PolicySettings,
): ContactState {
  const draft = draftOf(NEW_CONTACT)
  for (const event of inTimeOrder(history)) {
    if (event.at > at) break
    applyInPlace(draft, platform, event, settings)
  }
  return draft
}

/** The state after one more event; for stores that keep the state rather than the whole history. */
export function applyEvent(
  state: ContactState,
  platform: Platform,
  event: ContactEvent,
  settings: PolicySettings,
): ContactState {
  const draft = draftOf(state)
  applyInPlace(draft, platform, event, settings)
  return draft
}

// Field by field rather than `{ ...state }`: this runs once per decision, and spreading a frozen object
// (NEW_CONTACT) takes V8's slow path — it made `decide` three times slower.
function draftOf(state: ContactState): Draft {
  return {
    lastUserMessageAt: state.lastUserMessageAt,
    openedAt: state.openedAt,
    windowsOpened: state.windowsOpened,
    referralAt: state.referralAt,
    entryPointOpenedAt: state.entryPointOpenedAt,
    adWindowExpiresAt: state.adWindowExpiresAt,
    plusOneUsedAt: state.plusOneUsedAt,
    conversations: state.conversations,
    asOf: state.asOf,
  }
}

function applyInPlace(draft: Draft, platform: Platform, event: ContactEvent, settings: PolicySettings): void {
  if (event.kind === 'inbound') applyInbound(draft, platform, event)
  else applyOutbound(draft, platform, event, settings)
  if (draft.asOf === null || event.at > draft.asOf) draft.asOf = event.at
}

function applyInbound(draft: Draft, platform: Platform, event: InboundEvent): void {
  if (!isUserMessage(event)) return
  const at = event.at
  const last = draft.lastUserMessageAt
  if (last === null || at >= windowExpiresAt(platform, draft, last)) {
    draft.openedAt = at
    draft.windowsOpened += 1
  } else if (
    draft.openedAt !== null &&
    at < draft.openedAt &&
    lateWindowEnd(platform, event) > draft.openedAt
  ) {
    // A late message whose own window reaches the current run extends it backwards, never shortens it; one
    // from an earlier window that had closed before the run began is not part of the run.
    draft.openedAt = at
  }
  if (last === null || at > last) draft.lastUserMessageAt = at
  // Each user message earns a fresh +1 after its window (MSG-2); a late older one does not.
  if (draft.plusOneUsedAt !== null && at > draft.plusOneUsedAt) draft.plusOneUsedAt = null
  if (platform === 'whatsapp') {
    // A new entry-point message restarts the 24 h to answer it, unless a free window is already running.
    const isFreeWindowRunning =
      draft.entryPointOpenedAt !== null && at < draft.entryPointOpenedAt + FREE_ENTRY_POINT_MS
    if ((event.referral === 'ad' || event.referral === 'cta') && !isFreeWindowRunning) draft.referralAt = at
  } else if (event.referral === 'ad') {
    const adExpiresAt = at + MESSENGER_AD_WINDOW_MS
    if (draft.adWindowExpiresAt === null || adExpiresAt > draft.adWindowExpiresAt)
      draft.adWindowExpiresAt = adExpiresAt
  }
}

function applyOutbound(
  draft: Draft,
  platform: Platform,
  event: OutboundEvent,
  settings: PolicySettings,
): void {
  const at = event.at
  const last = draft.lastUserMessageAt
  if (platform === 'messenger') {
    if (
      event.sent.type === 'messenger' &&
      event.sent.messagingType !== 'MESSAGE_TAG' &&
      last !== null &&
      at >= windowExpiresAt('messenger', draft, last) &&
      at < settings.messengerPolicyChangeAt &&
      draft.plusOneUsedAt === null
    )
      draft.plusOneUsedAt = at
    return
  }
  const era = pricingEraAt(at, settings)
  const isCareWindowOpen = last !== null && at < last + CARE_WINDOW_MS
  const isFree = era.hasFreeEntryPoint && isEntryPointOpen(draft, at)
  if (era.model === 'CBP') {
    const joined = conversationFor(era, draft, event.sent, at, isCareWindowOpen, isFree)
    if (joined.isNew)
      draft.conversations = [...draft.conversations.filter((c) => c.expiresAt > at), joined.conversation]
  }
  if (isEntryPointPending(draft, at)) {
    draft.entryPointOpenedAt = at
    draft.referralAt = null
  }
}

/** The end of the window a late (out-of-order) user message opened on its own. */
function lateWindowEnd(platform: Platform, event: InboundEvent): Instant {
  return (
    event.at + (platform === 'messenger' && event.referral === 'ad' ? MESSENGER_AD_WINDOW_MS : CARE_WINDOW_MS)
  )
}

/** The end of the standard window that the message at `last` opened or extended (CCW-4, MSG-1, MSG-AD). */
export function windowExpiresAt(platform: Platform, state: ContactState, last: Instant): Instant {
  const standard = last + CARE_WINDOW_MS
  if (platform === 'messenger' && state.adWindowExpiresAt !== null && state.adWindowExpiresAt > standard)
    return state.adWindowExpiresAt
  return standard
}

/** FEP-1: an entry-point message is waiting for its first reply, which will open the free window. */
export function isEntryPointPending(state: ContactState, at: Instant): boolean {
  return state.referralAt !== null && at < state.referralAt + FREE_ENTRY_POINT_REPLY_MS
}

/** FEP-1: the free entry point window is open at `at`, or the next reply will open it. */
export function isEntryPointOpen(state: ContactState, at: Instant): boolean {
  return (
    (state.entryPointOpenedAt !== null && at < state.entryPointOpenedAt + FREE_ENTRY_POINT_MS) ||
    isEntryPointPending(state, at)
  )
}

function inTimeOrder(history: readonly ContactEvent[]): readonly ContactEvent[] {
  for (let i = 1; i < history.length; i++) {
    // Array.prototype.sort is stable, so same-instant events keep their order.
    if ((history[i] as ContactEvent).at < (history[i - 1] as ContactEvent).at)
      return [...history].sort((a, b) => a.at - b.at)
  }
  return history
}
