import { consentAt, formatInstant, type ConsentEvent, type Instant } from '../../domain/index.js'
import { consentJson } from '../../representations/decision-json.js'
import type { ChannelRecord, StoredConsentEvent } from '../../store/store.js'
import { appendConsentEvent } from '../contacts/consent.js'
import { ensureContact } from '../contacts/contacts.js'
import { GatewayError } from '../../shared/errors.js'
import type { NativeApiDependencies } from './channels.js'
import { decisionSubjects } from '../webhooks/notification-subjects.js'

/** One ledger entry as the API shows it. */
export function consentEventJson(event: StoredConsentEvent): Record<string, unknown> {
  return {
    id: event.id,
    kind: event.kind,
    scope: event.scope,
    source: event.source,
    evidence: event.evidence ?? null,
    actor: event.actor ?? null,
    at: formatInstant(event.at),
    recorded_at: formatInstant(event.recordedAt),
  }
}

/**
 * Appends an opt-in or opt-out to the contact's consent ledger (creating the contact on first sight). The ledger
 * is append-only: an opt-out is a new entry, never the deletion of an opt-in. `at` defaults to now and may be
 * earlier (consent given on paper last week) but not later.
 */
export async function recordConsent(
  deps: Pick<NativeApiDependencies, 'store' | 'clock' | 'directory'>,
  channel: ChannelRecord,
  contactId: string,
  event: Omit<ConsentEvent, 'at'> & { readonly at?: Instant },
): Promise<Record<string, unknown>> {
  const stored = await deps.store.transaction(async (tx) => {
    const now = deps.clock()
    const at = event.at ?? now
    if (at > now)
      throw new GatewayError(
        'INVALID_REQUEST',
        `at: ${formatInstant(at)} is in the future; consent is recorded when it was given`,
      )
    await ensureContact(tx, channel, contactId, now)
    return appendConsentEvent(tx, deps.directory, channel, contactId, { ...event, at }, now)
  })
  return consentEventJson(stored)
}

/** The contact's whole ledger, oldest first, and the consent in force now. */
export async function consentHistory(
  deps: NativeApiDependencies,
  channel: ChannelRecord,
  contactId: string,
): Promise<Record<string, unknown>> {
  // Stop keywords and Meta's user_preferences arrive by webhook; the ledger includes every one acknowledged.
  await deps.inbox.drain(decisionSubjects(channel, contactId))
  const ledger = await deps.store.listConsent(channel.id, contactId)
  return {
    contact_id: contactId,
    channel_id: channel.externalId,
    history: ledger.map(consentEventJson),
    current: consentJson(consentAt(ledger, deps.clock())),
  }
}
