import { formatInstant } from '../../domain/index.js'
import { parseMessengerNotification } from '../../channels/messenger/notification.js'
import { channelsSigning } from '../../channels/signature.js'
import { parseWhatsAppNotification } from '../../channels/whatsapp/notification.js'
import type { ChannelRecord, DeadNotificationRecord } from '../../store/store.js'
import { GatewayError } from '../../shared/errors.js'
import type { NativeApiDependencies } from './channels.js'

type DeadLetterDependencies = Pick<NativeApiDependencies, 'store' | 'directory' | 'clock' | 'inbox'>

/** Dead letters read from the store per round while a page of the tenant's is filled. */
const SCAN_BATCH = 200
/** Rounds at most per page: a tenant with few dead letters among many does not make one request read them all. */
const SCAN_ROUNDS = 10

/** What a notification names that decisions depend on. */
interface Concern {
  readonly channel_id?: string
  readonly contact_id?: string
  readonly template?: { readonly name: string; readonly language: string }
}

/**
 * The tenant's dead letters — notifications acknowledged to Meta that could not be applied after their last try —
 * oldest first, after `after` (the previous page's `next_after`). Decisions about what each concerns are refused
 * until it is retried or discarded.
 */
export async function listDeadLetters(
  deps: DeadLetterDependencies,
  tenantId: string,
  options: { readonly after: number; readonly limit: number },
): Promise<{ data: Record<string, unknown>[]; next_after: number | null }> {
  const found: Record<string, unknown>[] = []
  let after = options.after
  for (let round = 0; round < SCAN_ROUNDS && found.length < options.limit; round++) {
    const batch = await deps.store.listDeadNotifications(after, SCAN_BATCH)
    for (const notification of batch) {
      after = notification.id
      const letter = await deadLetterJson(deps, tenantId, notification)
      if (letter !== null) found.push(letter)
      if (found.length === options.limit) break
    }
    if (batch.length < SCAN_BATCH && found.length < options.limit) return { data: found, next_after: null }
  }
  return { data: found, next_after: after }
}

/** One of the tenant's dead letters. */
export async function tenantDeadLetter(
  deps: DeadLetterDependencies,
  tenantId: string,
  id: number,
): Promise<Record<string, unknown>> {
  return (await findDeadLetter(deps, tenantId, id)).json
}

/**
 * Tries a dead letter again, as if it had just arrived: decisions about what it concerns wait for it (within
 * `inbox.decision_wait_ms`) and go ahead once it is applied. If it fails again it is retried and given up as before.
 */
export async function retryDeadLetter(
  deps: DeadLetterDependencies,
  tenantId: string,
  id: number,
): Promise<Record<string, unknown>> {
  const { json } = await findDeadLetter(deps, tenantId, id)
  if (!(await deps.store.retryDeadNotification(id))) throw notFound(id)
  deps.inbox.kick()
  return { ...json, status: 'retrying' }
}

/**
 * Sets a dead letter aside for good: it is never applied, and decisions about what it concerns go ahead on what
 * carewindow knows without it — an operator's choice, recorded with the notification.
 */
export async function discardDeadLetter(
  deps: DeadLetterDependencies,
  tenantId: string,
  id: number,
): Promise<Record<string, unknown>> {
  const { json } = await findDeadLetter(deps, tenantId, id)
  const at = deps.clock()
  const isDiscarded = await deps.store.discardDeadNotification(
    id,
    at,
    `discarded through the API by tenant ${tenantId} at ${formatInstant(at)}`,
  )
  if (!isDiscarded) throw notFound(id)
  return { ...json, status: 'discarded' }
}

async function findDeadLetter(
  deps: DeadLetterDependencies,
  tenantId: string,
  id: number,
): Promise<{ readonly json: Record<string, unknown> }> {
  const [notification] = await deps.store.listDeadNotifications(id - 1, 1)
  const json = notification?.id === id ? await deadLetterJson(deps, tenantId, notification) : null
  if (json === null) throw notFound(id)
  return { json }
}

function notFound(id: number): GatewayError {
  return new GatewayError('NOT_FOUND', `there is no dead letter ${id} (GET /v1/dead-letters lists them)`)
}

/**
 * The dead letter as the tenant sees it, or `null` when it is not the tenant's: a notification is a tenant's when
 * the app secret of one of its channels signed it and it names that channel (a template update names none: it
 * concerns every channel its app secret signed for).
 */
async function deadLetterJson(
  deps: DeadLetterDependencies,
  tenantId: string,
  notification: DeadNotificationRecord,
): Promise<Record<string, unknown> | null> {
  const signed = channelsSigning(
    (await deps.directory.channelsOf(notification.platform)).filter(
      (channel) => channel.tenantId === tenantId,
    ),
    notification.body,
    notification.signature,
  )
  if (signed.length === 0) return null
  let body: unknown
  try {
    body = JSON.parse(notification.body)
  } catch {
    body = notification.body
  }
  const concerns = concernsOf(notification.platform, body)
  const named = new Set(
    concerns.flatMap((concern) => (concern.channel_id === undefined ? [] : [concern.channel_id])),
  )
  const ours = (channel: ChannelRecord) => named.size === 0 || named.has(channel.externalId)
  if (!signed.some(ours)) return null
  return {
    id: notification.id,
    status: 'dead',
    platform: notification.platform,
    received_at: formatInstant(notification.receivedAt),
    dead_at: formatInstant(notification.deadAt),
    attempts: notification.attempts,
    error: notification.error,
    concerns: concerns.filter(
      (concern) =>
        concern.channel_id === undefined ||
        signed.some((channel) => channel.externalId === concern.channel_id),
    ),
    body,
  }
}

/** The contacts and templates a notification names, as the inbox reads it. */
function concernsOf(platform: DeadNotificationRecord['platform'], body: unknown): Concern[] {
  const concerns = new Map<string, Concern>()
  const add = (concern: Concern) => concerns.set(JSON.stringify(concern), concern)
  if (platform === 'whatsapp') {
    const parsed = parseWhatsAppNotification(body)
    if (!parsed.ok) return []
    for (const change of parsed.changes) {
      if (change.kind === 'message' || change.kind === 'user_preference')
        add({ channel_id: change.phoneNumberId, contact_id: change.contact })
      else if (change.kind === 'status') add({ channel_id: change.phoneNumberId })
      else add({ template: { name: change.name, language: change.language } })
    }
  } else {
    const parsed = parseMessengerNotification(body)
    if (!parsed.ok) return []
    for (const change of parsed.changes)
      add(
        change.kind === 'inbound'
          ? { channel_id: change.pageId, contact_id: change.psid }
          : { channel_id: change.pageId },
      )
  }
  return [...concerns.values()]
}
