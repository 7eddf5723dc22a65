import type { Platform } from '../platform.js'
import { pricingEraAt, type PricingEra } from '../pricing/pricing-eras.js'
import type { PolicySettings } from '../settings.js'
import type { Instant } from '../time.js'
import type { ContactEvent } from './contact-events.js'
import { foldHistory, isEntryPointOpen, windowExpiresAt, type ContactState } from './contact-state.js'
import { FREE_ENTRY_POINT_MS, HUMAN_AGENT_WINDOW_MS } from './window-durations.js'

/**
 * Which window governs the contact: WhatsApp's customer care window or a free entry point window;
 * Messenger's standard window, the 7-day ad window, or the 7-day horizon in which only human agents may reply.
 */
export type WindowType =
  'customer_care' | 'free_entry_point' | 'messenger_standard' | 'messenger_ad' | 'human_agent'

/** Messenger 24+1 (MSG-2): whether the one extra message after the window can still be sent. */
export type PlusOneState = 'available' | 'used' | 'expired' | 'none'

/** A contact's window at one instant. */
export interface WindowSnapshot {
  /** `open` while session (free-form) messages may be sent: `at < expiresAt` (CCW-4, MSG-1). */
  readonly state: 'open' | 'closed'
  readonly type: WindowType
  /** The first user message of the current (or last) run of overlapping windows. */
  readonly openedAt: Instant | null
  readonly lastUserMessageAt: Instant | null
  /** When session messages stop (or stopped) being allowed; `null` when the contact never wrote. */
  readonly expiresAt: Instant | null
  /** WhatsApp (FEP-1): end of the 72 h free entry point window; `null` if none, or until the first reply opens it. */
  readonly freeEntryPointExpiresAt: Instant | null
  /** Messenger (MSG-3): until when a human agent may still reply with the HUMAN_AGENT tag. */
  readonly humanAgentExpiresAt: Instant | null
  /** Messenger (MSG-2); `null` on WhatsApp. */
  readonly plusOne: PlusOneState | null
}

/**
 * The window at `at`. `history` is the contact's whole history (events after `at` are ignored) or a state
 * already folded up to `at`.
 */
export function windowAt(
  platform: Platform,
  history: readonly ContactEvent[] | ContactState,
  at: Instant,
  settings: PolicySettings,
): WindowSnapshot {
  const state = isHistory(history) ? foldHistory(platform, history, at, settings) : history
  return windowOf(platform, state, at, settings, pricingEraAt(at, settings))
}

/** {@link windowAt} for a folded state and the pricing era in force at `at`, which the caller already knows. */
export function windowOf(
  platform: Platform,
  state: ContactState,
  at: Instant,
  settings: PolicySettings,
  era: PricingEra,
): WindowSnapshot {
  return platform === 'whatsapp' ? whatsappWindow(state, at, era) : messengerWindow(state, at, settings)
}

export function isHistory(
  history: readonly ContactEvent[] | ContactState,
): history is readonly ContactEvent[] {
  return Array.isArray(history)
}

const NEVER_CONTACTED_WHATSAPP: WindowSnapshot = Object.freeze({
  state: 'closed',
  type: 'customer_care',
  openedAt: null,
  lastUserMessageAt: null,
  expiresAt: null,
  freeEntryPointExpiresAt: null,
  humanAgentExpiresAt: null,
  plusOne: null,
})

function whatsappWindow(state: ContactState, at: Instant, era: PricingEra): WindowSnapshot {
  const last = state.lastUserMessageAt
  if (last === null) return NEVER_CONTACTED_WHATSAPP
  const expiresAt = windowExpiresAt('whatsapp', state, last)
  const isFree = era.hasFreeEntryPoint && isEntryPointOpen(state, at)
  return {
    state: at < expiresAt ? 'open' : 'closed',
    type: isFree ? 'free_entry_point' : 'customer_care',
    openedAt: state.openedAt,
    lastUserMessageAt: last,
    expiresAt,
    freeEntryPointExpiresAt:
      isFree && state.entryPointOpenedAt !== null && state.referralAt === null
        ? state.entryPointOpenedAt + FREE_ENTRY_POINT_MS
        : null,
    humanAgentExpiresAt: null,
    plusOne: null,
  }
}

function messengerWindow(state: ContactState, at: Instant, settings: PolicySettings): WindowSnapshot {
  const last = state.lastUserMessageAt
  const plusOne: PlusOneState =
    last === null
      ? 'none'
      : at >= settings.messengerPolicyChangeAt
        ? 'expired'
        : state.plusOneUsedAt !== null
          ? 'used'
          : 'available'
  if (last === null) {
    return { ...NEVER_CONTACTED_WHATSAPP, type: 'messenger_standard', plusOne }
  }
  const expiresAt = windowExpiresAt('messenger', state, last)
  const humanAgentExpiresAt = last + HUMAN_AGENT_WINDOW_MS
  const isOpen = at < expiresAt
  return {
    state: isOpen ? 'open' : 'closed',
    type: isOpen
      ? expiresAt === state.adWindowExpiresAt
        ? 'messenger_ad'
        : 'messenger_standard'
      : at < humanAgentExpiresAt
        ? 'human_agent'
        : 'messenger_standard',
    openedAt: state.openedAt,
    lastUserMessageAt: last,
    expiresAt,
    freeEntryPointExpiresAt: null,
    humanAgentExpiresAt,
    plusOne,
  }
}
