import { createHash, timingSafeEqual } from 'node:crypto'
import { PLATFORMS, type Platform } from '../../domain/index.js'
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../../channels/bounded-json.js'
import { isValidSignature } from '../../channels/signature.js'
import type { ChannelRecord } from '../../store/store.js'
import type { Clock } from '../../shared/clock.js'
import type { Directory } from '../directory.js'
import { GatewayError } from '../../shared/errors.js'
import type { Metrics } from '../metrics.js'
import type { NotificationWriter } from './notification-writer.js'
import { notificationSubjects } from './notification-subjects.js'

export interface WebhookIntakeDependencies {
  readonly directory: Directory
  readonly writer: NotificationWriter
  readonly clock: Clock
  readonly metrics: Metrics
}

/** A signed notification, durably stored and to be applied: Meta is told it was received. */
export interface StoredNotification {
  readonly kind: 'stored'
  readonly platform: Platform
}

/** Meta's subscription handshake passed: its challenge, to answer with. */
export interface VerifiedSubscription {
  readonly kind: 'verified'
  readonly challenge: string
}

/** Refuses malformed UTF-8 instead of replacing it, and keeps a byte order mark (which JSON.parse then refuses). */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

const OBJECTS: Readonly<Record<Platform, string>> = {
  whatsapp: 'whatsapp_business_account',
  messenger: 'page',
}

/**
 * `POST /webhooks/{platform}`: the signature is checked over the raw bytes first — against the app secrets of
 * the platform's channels — and a notification no secret signed is refused (INVALID_SIGNATURE) before anything is
 * parsed or stored. A signed one is stored exactly as received and only then acknowledged; processing follows.
 */
export async function receiveWebhook(
  deps: WebhookIntakeDependencies,
  platform: Platform,
  rawBody: Buffer,
  signature: string | undefined,
): Promise<StoredNotification> {
  const isSigned = (channels: readonly ChannelRecord[]) =>
    [...new Set(channels.map((channel) => channel.appSecret))].some((secret) =>
      isValidSignature(rawBody, signature, secret),
    )
  if (
    !isSigned(await deps.directory.channelsOf(platform)) &&
    !isSigned(await deps.directory.channelsOf(platform, { fresh: true }))
  ) {
    deps.metrics.webhookNotifications.inc({ platform, outcome: 'rejected' })
    throw new GatewayError(
      'INVALID_SIGNATURE',
      signature === undefined
        ? 'the X-Hub-Signature-256 header is missing'
        : 'X-Hub-Signature-256 does not match the body for the app secret of any channel',
    )
  }
  let read: ReadNotification
  try {
    read = readNotification(rawBody, platform)
  } catch (error) {
    if (error instanceof GatewayError && error.key === 'INVALID_NOTIFICATION')
      deps.metrics.webhookNotifications.inc({ platform, outcome: 'rejected' })
    throw error
  }
  await deps.writer.write({
    platform,
    body: read.body,
    signature: signature ?? '',
    receivedAt: deps.clock(),
    subjects: read.subjects,
  })
  deps.metrics.webhookNotifications.inc({ platform, outcome: 'stored' })
  return { kind: 'stored', platform }
}

/** A notification read as the inbox will read it: its text, its JSON and what it concerns. */
export interface ReadNotification {
  readonly platform: Platform
  /** The body as text, exactly as received. */
  readonly body: string
  readonly json: unknown
  /** What it can change (see notification-subjects.ts). */
  readonly subjects: string[]
}

/**
 * Everything intake checks after the signature: UTF-8 text, nesting within {@link MAX_JSON_DEPTH}, JSON, the
 * platform's `object`, and changes the inbox can apply. Without `platform`, `object` names it (imports read files
 * of both). Throws a {@link GatewayError} that says what is wrong.
 */
export function readNotification(rawBody: Buffer, platform?: Platform): ReadNotification {
  // The notification is kept as text and its signature checked again over that text when it is processed: bytes that
  // are not UTF-8 would not survive the round trip, and the notification would be acknowledged, then ignored.
  let body: string
  try {
    body = STRICT_UTF8.decode(rawBody)
  } catch {
    throw new GatewayError('INVALID_JSON', 'the notification body is not UTF-8 text, so not valid JSON')
  }
  if (jsonDepthExceeds(rawBody))
    throw new GatewayError(
      'INVALID_JSON',
      `the notification nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`,
    )
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    throw new GatewayError('INVALID_JSON', 'the notification body is not valid JSON')
  }
  const object = typeof json === 'object' && json !== null ? (json as { object?: unknown }).object : undefined
  const named = PLATFORMS.find((candidate) => OBJECTS[candidate] === object)
  if (named === undefined || (platform !== undefined && named !== platform))
    throw new GatewayError(
      'INVALID_REQUEST',
      platform === undefined
        ? `a notification has "object": "${OBJECTS.whatsapp}" (WhatsApp) or "${OBJECTS.messenger}" (Messenger)`
        : `a ${platform} notification has "object": "${OBJECTS[platform]}"`,
    )
  // Read now as the inbox will read it: what cannot be applied is refused before it is acknowledged, so it is never
  // stored to fail later (Meta never sends such bodies; one signed by someone holding the app secret must not wedge
  // the inbox). What it can change lets a decision wait only for what concerns it.
  const read = notificationSubjects(named, json)
  if (!read.ok) throw new GatewayError('INVALID_NOTIFICATION', read.problem)
  return { platform: named, body, json, subjects: read.subjects }
}

/**
 * `GET /webhooks/{platform}` and `GET /webhooks/{platform}/{channel_external_id}`: Meta's subscription handshake.
 * Gives back `hub.challenge` when the token is the verify_token of a channel of the platform — of that one channel when
 * the path names it. Tokens are compared as SHA-256 digests in constant time, and every candidate is compared (no
 * early exit), so the answer's timing says nothing about how much of a token matched or which channel's it is.
 */
export async function verifyWebhook(
  directory: Directory,
  platform: Platform,
  query: Readonly<Record<string, unknown>>,
  channelExternalId?: string,
): Promise<VerifiedSubscription> {
  const mode = query['hub.mode']
  const token = query['hub.verify_token']
  const challenge = query['hub.challenge']
  if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string')
    throw new GatewayError(
      'VERIFY_TOKEN_MISMATCH',
      'expected hub.mode=subscribe, hub.verify_token and hub.challenge',
    )
  const channels = (await directory.channelsOf(platform, { fresh: true })).filter(
    (channel) => channelExternalId === undefined || channel.externalId === channelExternalId,
  )
  const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()
  const given = sha256(token)
  let isMatch = false
  for (const channel of channels) {
    const isThisOne = timingSafeEqual(given, sha256(channel.verifyToken))
    isMatch = isThisOne || isMatch
  }
  if (!isMatch)
    throw new GatewayError(
      'VERIFY_TOKEN_MISMATCH',
      channelExternalId === undefined
        ? `hub.verify_token is not the verify_token of any ${platform} channel`
        : `hub.verify_token is not the verify_token of ${platform} channel ${channelExternalId}`,
    )
  return { kind: 'verified', challenge }
}
