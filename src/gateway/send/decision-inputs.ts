import {
  countryOfPhoneNumber,
  NEW_CONTACT,
  type ContactState,
  type DecisionContext,
  type PolicySettings,
} from '../../domain/index.js'
import type { ChannelRecord, Store } from '../../store/store.js'
import type { Directory } from '../directory.js'

/** Everything `decide` needs to judge a message to one contact, as stored. */
export interface DecisionInputs {
  /** The contact's folded state (`NEW_CONTACT` for one never heard from). */
  readonly state: ContactState
  readonly settings: PolicySettings
  /** The context for `decide`: the state as history, the consent ledger, templates, settings, country, rate cards. */
  readonly context: DecisionContext
}

/**
 * Reads what a decision for `contact` depends on: the channel's policy and templates, the contact's state,
 * consent ledger and country. A send reads through its transaction and `lock`s the window row (its
 * read-modify-write must not interleave with another); a dry run reads without locking and writes nothing.
 */
export async function loadDecisionInputs(
  directory: Directory,
  store: Store,
  channel: ChannelRecord,
  contact: string,
  options: {
    readonly lock: boolean
    /** The contact's stored country, when the caller has it (`ensureContact`, known contacts): not read again. */
    readonly country?: string | null
  },
): Promise<DecisionInputs> {
  const { settings } = directory.policyOf(channel)
  const templates = await directory.templatesOf(channel, store)
  const rateCards = await directory.rateCardsOf(channel.tenantId, store)
  const stored =
    options.country === undefined ? await store.getContact(channel.id, contact) : { country: options.country }
  const state =
    (options.lock
      ? await store.lockWindow(channel.id, contact)
      : (await store.getWindow(channel.id, contact))?.state) ?? NEW_CONTACT
  const consent = await store.listConsent(channel.id, contact)
  // A contact seen for the first time gets the country `ensureContact` would store for it.
  const country =
    stored !== undefined
      ? stored.country
      : channel.platform === 'whatsapp'
        ? countryOfPhoneNumber(contact)
        : null
  return {
    state,
    settings,
    context: { history: state, consent, templates, settings, contact, country, rateCards },
  }
}
