import { formatInstant } from '../domain/index.js'
import type { CaseRecord, ChannelRecord } from '../store/store.js'

/**
 * A case in the native API, snake_case like the rest of `/v1`: the fields a create or update takes (so a response
 * can be edited and sent back), plus carewindow's own — its id, the channel by its external id, when the
 * Issue Resolution re-engagement last ran for it, and its instants as ISO 8601.
 */
export function caseJson(
  record: CaseRecord,
  channel: Pick<ChannelRecord, 'externalId'>,
): Record<string, unknown> {
  return {
    id: record.id,
    channel_id: channel.externalId,
    contact_id: record.contactId,
    external_id: record.externalId,
    status: record.status,
    subject: record.subject,
    language: record.language,
    parameters: record.parameters,
    last_reengaged_at: record.lastReengagedAt === null ? null : formatInstant(record.lastReengagedAt),
    created_at: formatInstant(record.createdAt),
    updated_at: formatInstant(record.updatedAt),
  }
}
