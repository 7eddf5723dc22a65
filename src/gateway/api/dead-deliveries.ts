import { formatInstant } from '../../domain/index.js'
import { redactUrl } from '../../shared/logging.js'
import type { DeliveryCursor, DeliveryRecord, Store } from '../../store/store.js'
import type { Clock } from '../../shared/clock.js'
import { GatewayError } from '../../shared/errors.js'
import { decodePosition, encodePosition } from '../../shared/position-cursor.js'

/** What the dead-delivery use cases work with; the {@link Gateway} provides it. */
export interface DeadDeliveryDependencies {
  readonly store: Store
  readonly clock: Clock
  /** Told when deliveries are due again, so it makes them now rather than at its next poll. */
  readonly outbox: { kick(): void }
}

/** The most dead deliveries one `redriveDeadDeliveries` call makes pending again (it says how many are left). */
export const MAX_REDRIVE_BATCH = 1_000

/**
 * A page of the tenant's dead deliveries — events and notifications its webhook did not take after the outbox's
 * last attempt — oldest first; `next_cursor` continues after it, `null` on the last page.
 */
export async function listDeadDeliveries(
  deps: DeadDeliveryDependencies,
  tenantId: string,
  query: { readonly limit: number; readonly after?: DeliveryCursor },
): Promise<{ data: Record<string, unknown>[]; paging: { next_cursor: string | null } }> {
  // One more than the page tells whether there is a next one.
  const rows = await deps.store.listDeadDeliveries(tenantId, { ...query, limit: query.limit + 1 })
  const page = rows.slice(0, query.limit)
  const last = page[page.length - 1]
  return {
    data: page.map((delivery) => deadDeliveryJson(delivery)),
    paging: {
      next_cursor: rows.length > query.limit && last !== undefined ? encodeDeliveryCursor(last) : null,
    },
  }
}

/** One of the tenant's dead deliveries, with the payload it could not deliver. */
export async function tenantDeadDelivery(
  deps: DeadDeliveryDependencies,
  tenantId: string,
  id: string,
): Promise<Record<string, unknown>> {
  const delivery = await deps.store.getDelivery(tenantId, id)
  if (delivery?.status !== 'dead') throw notFound(id)
  return deadDeliveryJson(delivery, { withPayload: true })
}

/**
 * Makes a dead delivery pending again, due now, with no attempts counted: the outbox delivers it as if new (same
 * id, same signed bytes) and, if the webhook still fails, retries and gives it up as before.
 */
export async function redriveDeadDelivery(
  deps: DeadDeliveryDependencies,
  tenantId: string,
  id: string,
): Promise<Record<string, unknown>> {
  const delivery = await deps.store.getDelivery(tenantId, id)
  if (delivery?.status !== 'dead') throw notFound(id)
  await requireWebhook(deps.store, tenantId)
  if (!(await deps.store.redriveDeadDelivery(tenantId, id, deps.clock()))) throw notFound(id)
  deps.outbox.kick()
  return { ...deadDeliveryJson(delivery), status: 'pending', attempts: 0 }
}

/**
 * {@link redriveDeadDelivery} for the tenant's oldest dead deliveries, at most `limit` at once; how many it
 * re-drove and how many are still dead (call again until none are).
 */
export async function redriveDeadDeliveries(
  deps: DeadDeliveryDependencies,
  tenantId: string,
  limit: number,
): Promise<{ redriven: number; remaining: number }> {
  const bounded = Math.min(Math.max(1, limit), MAX_REDRIVE_BATCH)
  if ((await deps.store.countDeliveries('dead', tenantId)) > 0) await requireWebhook(deps.store, tenantId)
  const redriven = await deps.store.redriveDeadDeliveries(tenantId, deps.clock(), bounded)
  if (redriven > 0) deps.outbox.kick()
  return { redriven, remaining: await deps.store.countDeliveries('dead', tenantId) }
}

/** A re-driven delivery to a tenant without a webhook would only die again at once. */
async function requireWebhook(store: Store, tenantId: string): Promise<void> {
  const tenant = await store.getTenant(tenantId)
  if (tenant === undefined || tenant.webhookUrl === null || tenant.webhookSecret === null)
    throw new GatewayError(
      'INVALID_REQUEST',
      `tenant ${tenantId} has no webhook URL to deliver to; configure its webhook (url and secret) first`,
    )
}

function notFound(id: string): GatewayError {
  return new GatewayError(
    'NOT_FOUND',
    `there is no dead delivery ${JSON.stringify(id)} (GET /v1/dead-deliveries lists them)`,
  )
}

/** A delivery as the tenant sees it: never the webhook URL's credentials (see {@link redactUrls}). */
function deadDeliveryJson(
  delivery: DeliveryRecord,
  options: { readonly withPayload?: boolean } = {},
): Record<string, unknown> {
  return {
    id: delivery.id,
    status: delivery.status,
    event_type: delivery.eventType,
    attempts: delivery.attempts,
    last_error: delivery.lastError === null ? null : redactUrls(delivery.lastError),
    created_at: formatInstant(delivery.createdAt),
    last_attempt_at: delivery.lastAttemptAt === null ? null : formatInstant(delivery.lastAttemptAt),
    ...(options.withPayload === true ? { payload: payloadOf(delivery.payload) } : {}),
  }
}

/** The payload as JSON when it is JSON (it always is when carewindow wrote it), or the text it is. */
function payloadOf(payload: string): unknown {
  try {
    return JSON.parse(payload) as unknown
  } catch {
    return payload
  }
}

// `scheme://` and what follows up to whitespace or a quote; punctuation that ends a sentence is not part of it.
const URL_IN_TEXT = /[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s"'<>]+/g

/**
 * The outbox writes a delivery's error with the webhook URL already redacted; this redacts again whatever URL the
 * text holds, so an error recorded by an older version, or quoting a URL another way, never shows credentials.
 */
function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => {
    const [, body = url, trailing = ''] = /^(.*?)([.,:;)\]]*)$/.exec(url) ?? []
    return `${redactUrl(body)}${trailing}`
  })
}

/** An opaque cursor: base64url of `[created_at, id]` of the page's last delivery. */
export function encodeDeliveryCursor(delivery: DeliveryCursor): string {
  return encodePosition({ at: delivery.createdAt, id: delivery.id })
}

/** The position a cursor names, or `undefined` when it is not one carewindow gave out. */
export function decodeDeliveryCursor(cursor: string): DeliveryCursor | undefined {
  const position = decodePosition(cursor)
  return position === undefined ? undefined : { createdAt: position.at, id: position.id }
}
