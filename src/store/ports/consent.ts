import type { ConsentEvent, Instant } from '../../domain/index.js'

export interface StoredConsentEvent extends ConsentEvent {
  readonly id: number
  readonly recordedAt: Instant
}

/**
 * The consent ledger: every opt-in and opt-out of a contact, append-only, with its source and evidence. Consent
 * at an instant is folded from it (domain/consent).
 */
export interface ConsentStore {
  appendConsent(
    channelId: string,
    contactId: string,
    event: ConsentEvent,
    recordedAt: Instant,
  ): Promise<StoredConsentEvent>
  /** A contact's ledger, oldest first. */
  listConsent(channelId: string, contactId: string): Promise<StoredConsentEvent[]>
}
