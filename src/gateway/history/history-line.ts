import type { Instant, Platform } from '../../domain/index.js'
import { parseMessengerNotification } from '../../channels/messenger/notification.js'
import { signatureOf } from '../../channels/signature.js'
import { parseWhatsAppNotification } from '../../channels/whatsapp/notification.js'
import type { ChannelRecord } from '../../store/store.js'
import { GatewayError } from '../../shared/errors.js'
import { sha256Hex } from '../../shared/ids.js'
import { messengerSubjects, whatsappSubjects } from '../webhooks/notification-subjects.js'
import { readNotification } from '../webhooks/webhook-intake.js'

/** A status of a message sent before carewindow knew of it: the message is recorded from it (outbound-statuses.ts). */
export interface HistoryStatus {
  readonly channel: ChannelRecord
  readonly messageId: string
  readonly contactId: string
  readonly at: Instant
}

/** A line read, checked and signed: ready to be stored and applied as a notification. */
export interface HistoryNotification {
  readonly line: number
  readonly platform: Platform
  /** The body as applied: the line's JSON, without template updates (see {@link readHistoryLine}). */
  readonly body: string
  /** SHA-256 of the line's JSON: the same notification imported again is known by it. */
  readonly digest: string
  /** Signed with the channels' app secret, as Meta signs: the inbox applies only what a channel's secret signed. */
  readonly signature: string
  /** The latest instant the notification itself names (when Meta sent it, near enough), or the import's. */
  readonly receivedAt: Instant
  readonly subjects: string[]
  readonly statuses: readonly HistoryStatus[]
}

export type HistoryLine =
  | { readonly kind: 'ready'; readonly notification: HistoryNotification }
  /** Nothing in it that carewindow applies from history. */
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'bad'; readonly reason: string }

/** The channels a file's lines may concern, by platform and external id (phone number id, Page id). */
export type HistoryChannels = Readonly<Record<Platform, ReadonlyMap<string, ChannelRecord>>>

/** Template updates describe a template as it was then; carewindow's templates are today's (see docs/import.md). */
const TEMPLATE_FIELDS: ReadonlySet<string> = new Set([
  'message_template_status_update',
  'template_category_update',
])

/**
 * Reads one line of an import file as webhook intake reads a notification — UTF-8, nesting, JSON, `object`, changes
 * the inbox can apply (webhook-intake.ts), the signature aside — and finds the channel of each change among
 * carewindow's. A change for a number or Page carewindow does not have makes the line bad: nothing of it is applied.
 */
export function readHistoryLine(
  bytes: Buffer,
  line: number,
  channels: HistoryChannels,
  now: Instant,
): HistoryLine {
  let read
  try {
    read = readNotification(bytes)
  } catch (error) {
    if (error instanceof GatewayError) return { kind: 'bad', reason: error.details }
    throw error
  }
  const digest = sha256Hex(JSON.stringify(read.json))
  const found =
    read.platform === 'whatsapp' ? whatsappLine(read.json, channels) : messengerLine(read.json, channels)
  if (found.kind !== 'ready') return found
  const secrets = new Set(found.channels.map((channel) => channel.appSecret))
  const [secret] = secrets
  if (secret === undefined || secrets.size > 1)
    return {
      kind: 'bad',
      reason:
        'the notification concerns channels of different Meta apps (app secrets); Meta signs each app’s notifications apart, so split the line by app',
    }
  const body = found.json === read.json ? read.body : JSON.stringify(found.json)
  return {
    kind: 'ready',
    notification: {
      line,
      platform: read.platform,
      body,
      digest,
      signature: signatureOf(body, secret),
      receivedAt: found.instants.length === 0 ? now : Math.max(...found.instants),
      subjects: found.subjects,
      statuses: found.statuses,
    },
  }
}

type Found =
  | {
      readonly kind: 'ready'
      readonly json: unknown
      readonly channels: readonly ChannelRecord[]
      readonly subjects: string[]
      readonly instants: readonly Instant[]
      readonly statuses: readonly HistoryStatus[]
    }
  | Exclude<HistoryLine, { kind: 'ready' }>

function whatsappLine(original: unknown, channels: HistoryChannels): Found {
  const json = withoutTemplateUpdates(original)
  const parsed = parseWhatsAppNotification(json)
  if (!parsed.ok) return { kind: 'bad', reason: parsed.problem }
  const changes = parsed.changes
  if (changes.length === 0) return nothingToApply(json !== original, parsed.skipped)
  const concerned = new Set<ChannelRecord>()
  const statuses: HistoryStatus[] = []
  for (const change of changes) {
    if (!('phoneNumberId' in change)) continue
    const channel = channels.whatsapp.get(change.phoneNumberId)
    if (channel === undefined)
      return unknownChannel(`phone_number_id ${change.phoneNumberId} is not a WhatsApp channel`)
    concerned.add(channel)
    if (change.kind === 'status' && change.recipient !== null)
      statuses.push({ channel, messageId: change.messageId, contactId: change.recipient, at: change.at })
  }
  return {
    kind: 'ready',
    json,
    channels: [...concerned],
    subjects: whatsappSubjects(changes),
    instants: changes.map((change) => ('at' in change ? change.at : 0)).filter((at) => at > 0),
    statuses,
  }
}

function messengerLine(json: unknown, channels: HistoryChannels): Found {
  const parsed = parseMessengerNotification(json)
  if (!parsed.ok) return { kind: 'bad', reason: parsed.problem }
  if (parsed.changes.length === 0) return nothingToApply(false, parsed.skipped)
  const concerned = new Set<ChannelRecord>()
  for (const change of parsed.changes) {
    const channel = channels.messenger.get(change.pageId)
    if (channel === undefined) return unknownChannel(`Page ${change.pageId} is not a Messenger channel`)
    concerned.add(channel)
  }
  return {
    kind: 'ready',
    json,
    channels: [...concerned],
    subjects: messengerSubjects(parsed.changes),
    instants: parsed.changes.map((change) => change.at),
    statuses: [],
  }
}

function unknownChannel(what: string): Found {
  return {
    kind: 'bad',
    reason: `${what} of carewindow's: add it (carewindow channel add, or the config file) and import again, or leave its lines out`,
  }
}

function nothingToApply(hadTemplateUpdates: boolean, skipped: readonly string[]): Found {
  return {
    kind: 'skipped',
    reason: hadTemplateUpdates
      ? 'template updates are not imported: they describe templates as they were then'
      : `nothing carewindow applies${skipped.length === 0 ? '' : ` (${skipped.slice(0, 3).join('; ')})`}`,
  }
}

interface Entry {
  readonly changes?: unknown
}

/** The notification without its template updates (the same object when it has none). */
function withoutTemplateUpdates(json: unknown): unknown {
  const notification = json as { readonly entry?: unknown }
  if (!Array.isArray(notification.entry)) return json
  const entries = notification.entry as Entry[]
  const isTemplateUpdate = (change: unknown): boolean =>
    typeof change === 'object' &&
    change !== null &&
    TEMPLATE_FIELDS.has(String((change as { field?: unknown }).field))
  if (!entries.some((entry) => Array.isArray(entry.changes) && entry.changes.some(isTemplateUpdate)))
    return json
  return {
    ...notification,
    entry: entries.map((entry) =>
      Array.isArray(entry.changes)
        ? { ...entry, changes: (entry.changes as unknown[]).filter((change) => !isTemplateUpdate(change)) }
        : entry,
    ),
  }
}
