import { consentAt, formatInstant, NEW_CONTACT, type ConsentEvent, type Instant } from '../../domain/index.js'
import { consentJson } from '../../representations/decision-json.js'
import type { ChannelRecord, Store, StoredConsentEvent } from '../../store/store.js'
import type { Directory } from '../directory.js'
import { emitEvent } from '../outbox/events.js'

/**
 * Appends an entry to a contact's consent ledger and tells the business (`consent.changed`, with the entry and the
 * consent in force after it). Every way consent changes — the API, a stop keyword, Meta's `user_preferences` —
 * comes through here. Inside a transaction.
 *
 * `stampedToTheSecond`: the entry's instant is a WhatsApp timestamp, which Meta gives to the second; an opt-out so
 * stamped is placed with {@link optOutAtInItsSecond}.
 */
export async function appendConsentEvent(
  tx: Store,
  directory: Directory,
  channel: ChannelRecord,
  contactId: string,
  event: ConsentEvent,
  now: Instant,
  options: { readonly stampedToTheSecond?: boolean } = {},
): Promise<StoredConsentEvent> {
  const before = await tx.listConsent(channel.id, contactId)
  const entry =
    options.stampedToTheSecond === true && event.kind === 'opt_out'
      ? { ...event, at: optOutAtInItsSecond(before, event.at, now) }
      : event
  const stored = await tx.appendConsent(channel.id, contactId, entry, now)
  // The ledger is read in (at, id) order and the new entry has the highest id: appended last, consentAt (a stable
  // sort by instant) places it exactly where reading the ledger again would.
  const ledger = [...before, stored]
  const state = (await tx.getWindow(channel.id, contactId))?.state ?? NEW_CONTACT
  await emitEvent(tx, {
    type: 'consent.changed',
    channel,
    contactId,
    key: String(stored.id),
    state,
    settings: directory.policyOf(channel).settings,
    at: now,
    data: {
      event: {
        kind: stored.kind,
        scope: stored.scope,
        source: stored.source,
        evidence: stored.evidence ?? null,
        actor: stored.actor ?? null,
        at: formatInstant(stored.at),
      },
      consent: consentJson(consentAt(ledger, now)),
    },
  })
  return stored
}

const SECOND_MS = 1_000

/**
 * Where an opt-out stamped to the second goes in the ledger. The customer may have sent it later in that second than
 * an entry already recorded in it (an opt-in through the API at 10:00:00.600, say, before a STOP sent at
 * 10:00:00.900 and stamped 10:00:00): stamped as it comes, the opt-out would sort before that entry and lose to it.
 * So it is placed at the latest entry of its second instead — appended after it, it wins — which errs towards not
 * messaging someone who may have said stop. Never after `now`, so a decision made once it is recorded sees it.
 */
export function optOutAtInItsSecond(
  ledger: readonly Pick<ConsentEvent, 'at'>[],
  stampedAt: Instant,
  now: Instant,
): Instant {
  const secondEnds = Math.floor(stampedAt / SECOND_MS) * SECOND_MS + SECOND_MS
  let at = stampedAt
  for (const entry of ledger) if (entry.at > at && entry.at < secondEnds) at = entry.at
  return Math.max(stampedAt, Math.min(at, now))
}
