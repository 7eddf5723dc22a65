import type { Selectable } from 'kysely'
import type { ConsentEvent } from '../../domain/index.js'
import type { ConsentEventsTable } from '../schema.js'
import type { StoredConsentEvent } from '../store.js'
import { run, type Connection } from './connection.js'
import { HOT } from './hot.js'
import { consentOf } from './rows.js'

/** The consent ledger (ConsentStore). */

export async function appendConsent(
  c: Connection,
  channelId: string,
  contactId: string,
  event: ConsentEvent,
  recordedAt: number,
): Promise<StoredConsentEvent> {
  const row = await c.db
    .insertInto('consent_events')
    .values({
      channel_id: channelId,
      contact_id: contactId,
      kind: event.kind,
      scope: event.scope,
      source: event.source,
      evidence: event.evidence ?? null,
      actor: event.actor ?? null,
      at: event.at,
      recorded_at: recordedAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return consentOf(row)
}

export async function listConsent(
  c: Connection,
  channelId: string,
  contactId: string,
): Promise<StoredConsentEvent[]> {
  const { rows } = await run<Selectable<ConsentEventsTable>>(c, HOT.listConsent, [channelId, contactId])
  return rows.map(consentOf)
}
