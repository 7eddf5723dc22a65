import type { Instant } from '../time.js'

/** What an opt-in or opt-out covers: everything, or one template category. */
export type ConsentScope = 'all' | ConsentCategory

/** The template categories consent is given for (today's WhatsApp categories). */
export type ConsentCategory = 'marketing' | 'utility' | 'authentication'

export const CONSENT_CATEGORIES: readonly ConsentCategory[] = ['marketing', 'utility', 'authentication']

/** Where a consent event came from. The known sources are listed; others are kept as given. */
export type ConsentSource =
  | 'website_form'
  | 'qr_code'
  | 'keyword'
  | 'api'
  | 'import'
  | 'user_preferences'
  | 'whatsapp_thread'
  | (string & {})

/** One entry of the append-only consent ledger. Entries are never edited; a change is a new entry. */
export interface ConsentEvent {
  readonly kind: 'opt_in' | 'opt_out'
  readonly scope: ConsentScope
  readonly source: ConsentSource
  /** What proves it: the form's wording and version, a URL, the captured message text. */
  readonly evidence?: string
  /** Who recorded it: an agent, a system, the contact. */
  readonly actor?: string
  readonly at: Instant
}

/** The consent in force for one category, and the ledger entry that set it. */
export interface ConsentStatus {
  readonly state: 'opted_in' | 'opted_out' | 'none'
  readonly since: Instant | null
  readonly scope: ConsentScope | null
  readonly source: ConsentSource | null
}

/** The consent in force at an instant (CCW-5, CCW-6, OPT-OUT). */
export interface ConsentSnapshot {
  readonly marketing: ConsentStatus
  readonly utility: ConsentStatus
  readonly authentication: ConsentStatus
  /** When the contact revoked all consent, if no opt-in has come since. */
  readonly revokedAllAt: Instant | null
}

const NO_CONSENT: ConsentStatus = Object.freeze({ state: 'none', since: null, scope: null, source: null })

/** The consent of a contact with an empty ledger. Opening a window never adds to it (CCW-5). */
export const EMPTY_CONSENT: ConsentSnapshot = Object.freeze({
  marketing: NO_CONSENT,
  utility: NO_CONSENT,
  authentication: NO_CONSENT,
  revokedAllAt: null,
})

function statusOf(event: ConsentEvent): ConsentStatus {
  return {
    state: event.kind === 'opt_in' ? 'opted_in' : 'opted_out',
    since: event.at,
    scope: event.scope,
    source: event.source,
  }
}

/**
 * Folds the ledger into the consent in force at `at`: for each category the latest entry (at or before
 * `at`) whose scope is that category or `all` wins. Entries are read in time order; entries at the same
 * instant apply in ledger order.
 */
export function consentAt(ledger: readonly ConsentEvent[], at: Instant): ConsentSnapshot {
  if (ledger.length === 0) return EMPTY_CONSENT
  let marketing: ConsentEvent | undefined
  let utility: ConsentEvent | undefined
  let authentication: ConsentEvent | undefined
  let revokedAllAt: Instant | null = null
  for (const event of inTimeOrder(ledger)) {
    if (event.at > at) break
    switch (event.scope) {
      case 'all':
        marketing = utility = authentication = event
        revokedAllAt = event.kind === 'opt_out' ? event.at : null
        continue
      case 'marketing':
        marketing = event
        break
      case 'utility':
        utility = event
        break
      case 'authentication':
        authentication = event
        break
    }
    if (event.kind === 'opt_in') revokedAllAt = null
  }
  // An all-scope entry usually decides all three categories; describe it once.
  const marketingStatus = marketing === undefined ? NO_CONSENT : statusOf(marketing)
  const utilityStatus =
    utility === undefined ? NO_CONSENT : utility === marketing ? marketingStatus : statusOf(utility)
  return {
    marketing: marketingStatus,
    utility: utilityStatus,
    authentication:
      authentication === undefined
        ? NO_CONSENT
        : authentication === utility
          ? utilityStatus
          : statusOf(authentication),
    revokedAllAt,
  }
}

function inTimeOrder(ledger: readonly ConsentEvent[]): readonly ConsentEvent[] {
  for (let i = 1; i < ledger.length; i++) {
    // A stable sort keeps same-instant entries in ledger order.
    if ((ledger[i] as ConsentEvent).at < (ledger[i - 1] as ConsentEvent).at)
      return [...ledger].sort((a, b) => a.at - b.at)
  }
  return ledger
}
