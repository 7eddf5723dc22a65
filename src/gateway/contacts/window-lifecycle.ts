import {
  MINUTE_MS,
  windowAt,
  type ContactState,
  type Instant,
  type Platform,
  type PolicySettings,
  type WindowSnapshot,
} from '../../domain/index.js'
import { contactJobId, JOB_KINDS, type JobKind } from '../../scheduler/jobs.js'
import type { Announcement, ChannelRecord, ScheduledJob, Store } from '../../store/store.js'
import { windowRecordOf } from './contacts.js'
import { emitEvent, emitEvents, type EventInput } from '../outbox/events.js'

/**
 * A contact's window over time, in one place: which timed work a window calls for and when each piece fires (the
 * close, the notice ahead of it, the keep-alive reminder), what a customer's message announces, and when the
 * scheduler announces a close. What the business was told is recorded with the window (`Announcement`: the open
 * on its row, each close filed beside it), so each window is announced open once and closed once,
 * whichever path gets there first — a customer's message, the scheduler, another instance, or a restart after the
 * window closed while carewindow was down.
 */

/** When the timed work of an open window fires: its close, the notice ahead of it, the keep-alive reminder. */
export interface WindowMoments {
  readonly closesAt: Instant
  readonly expiringAt: Instant
  /** `null` when the channel sends no keep-alive reminders. */
  readonly keepAliveAt: Instant | null
}

/** The moments of a window that has an expiry (`null` for a contact who never wrote). */
export function windowMoments(channel: ChannelRecord, window: WindowSnapshot): WindowMoments | null {
  const closesAt = window.expiresAt
  if (closesAt === null) return null
  const { window_expiring_lead_minutes: expiringLead, keep_alive: keepAlive } = channel.automations
  return {
    closesAt,
    expiringAt: closesAt - expiringLead * MINUTE_MS,
    keepAliveAt: keepAlive.enabled ? closesAt - keepAlive.lead_minutes * MINUTE_MS : null,
  }
}

/**
 * The timed work of a contact's window after it changed (a customer message): `window.closed` at the expiry (always
 * first), `window.expiring` ahead of it, the keep-alive reminder if the channel has it — none when the window has
 * no expiry or is closed. Scheduled with the contact's id, each moves as the window moves. Jobs only act if the
 * window really is at that point when they run, so a message processed between scheduling and firing is never
 * missed.
 */
export function windowJobs(
  channel: ChannelRecord,
  contactId: string,
  state: ContactState,
  settings: PolicySettings,
  now: Instant,
): { readonly jobs: readonly ScheduledJob[]; readonly expiresAt: Instant | null } {
  const window = windowAt(channel.platform, state, now, settings)
  const moments = windowMoments(channel, window)
  if (moments === null || window.state === 'closed') return { jobs: [], expiresAt: window.expiresAt }
  const job = (kind: JobKind, dueAt: Instant): ScheduledJob => ({
    id: contactJobId(kind, channel.id, contactId),
    kind,
    channelId: channel.id,
    contactId,
    dueAt,
    payload: { expires_at: moments.closesAt },
  })
  const jobs = [
    job(JOB_KINDS.windowClosed, moments.closesAt),
    job(JOB_KINDS.windowExpiring, moments.expiringAt),
  ]
  if (moments.keepAliveAt !== null) jobs.push(job(JOB_KINDS.keepAlive, moments.keepAliveAt))
  return { jobs, expiresAt: moments.closesAt }
}

/** What a customer's message announces, given what the business was last told. */
export interface MessageAnnouncements {
  /** The expiry of the previous window, when it closed before the message and the business still thinks it open. */
  readonly closed: Instant | null
  /** Whether the window the message leaves open is news to the business. */
  readonly opened: boolean
}

/**
 * A customer's message announces `window.closed` for the previous window when it closed before the message but
 * was never announced closed (the scheduler lagged or was down), then `window.opened` unless the business was told
 * the window is open and it still was when the customer wrote.
 */
export function announcementsAfterMessage(
  platform: Platform,
  previous: ContactState,
  announced: Announcement | null,
  sentAt: Instant,
  window: { readonly state: 'open' | 'closed'; readonly expiresAt: Instant | null },
  settings: PolicySettings,
): MessageAnnouncements {
  if (window.expiresAt === null) return { closed: null, opened: false }
  const before = windowAt(platform, previous, sentAt, settings)
  const closedUnannounced =
    announced?.state === 'open' &&
    before.state === 'closed' &&
    before.expiresAt !== null &&
    before.expiresAt < window.expiresAt
  return {
    closed: closedUnannounced ? before.expiresAt : null,
    opened: window.state === 'open' && (announced?.state !== 'open' || closedUnannounced),
  }
}

/** A customer's message as the window's lifecycle sees it. */
export interface WindowChange {
  readonly channel: ChannelRecord
  readonly contactId: string
  /** The state before the message, and what the business had been told of it. */
  readonly previous: ContactState
  readonly announced: Announcement | null
  /** The state with the message folded in. */
  readonly state: ContactState
  readonly settings: PolicySettings
  readonly sentAt: Instant
  readonly messageId: string
  readonly now: Instant
}

/**
 * Saves a window a customer's message changed, its timed work and what it announces, in one write (the window row
 * is locked), then queues the announcements: `window.closed` for a window that closed unannounced, `window.opened`.
 * Resolves to whether the window was announced open (held replies may go now).
 */
export async function saveWindowAfterMessage(tx: Store, change: WindowChange): Promise<boolean> {
  const { channel, contactId, state, settings, now } = change
  const { jobs, expiresAt } = windowJobs(channel, contactId, state, settings, now)
  const window = { state: jobs.length > 0 ? ('open' as const) : ('closed' as const), expiresAt }
  const plan = announcementsAfterMessage(
    channel.platform,
    change.previous,
    change.announced,
    change.sentAt,
    window,
    settings,
  )
  // The close is claimed as the scheduler claims it, before the window is announced anew: whichever files it first
  // announces it (the scheduler of another instance may be claiming it at this moment).
  const isClosedHere =
    plan.closed !== null && (await tx.claimClosedAnnouncement(channel.id, contactId, plan.closed))
  const record: Announcement | undefined =
    plan.opened && expiresAt !== null ? { state: 'open', expiresAt } : undefined
  await tx.saveWindowWithJobs(windowRecordOf(channel, contactId, state, settings, now), jobs, now, record)
  const base = { channel, contactId, settings, at: now }
  if (plan.closed !== null && isClosedHere)
    await emitEvent(tx, { ...base, type: 'window.closed', key: String(plan.closed), state: change.previous })
  if (plan.opened)
    await emitEvent(tx, {
      ...base,
      type: 'window.opened',
      key: String(expiresAt),
      state,
      data: { message_id: change.messageId },
    })
  return plan.opened
}

/** A window job's view of the contact: its channel and its window as it is when the job runs. */
export interface WindowAtJob {
  readonly channel: ChannelRecord
  readonly contactId: string
  readonly settings: PolicySettings
  readonly state: ContactState
  readonly window: WindowSnapshot
}

/** What a window job decided before anything is written: when to run again, or the announcement to make. */
export type WindowNotice =
  | { readonly kind: 'done' }
  | { readonly kind: 'later'; readonly runAt: Instant }
  | { readonly kind: 'announce'; readonly event: EventInput; readonly closedAt: Instant | null }

const DONE: WindowNotice = { kind: 'done' }

/** The notice ahead of the window's end, once due — unless the window has closed meanwhile (nothing stale). */
export function expiringNotice(found: WindowAtJob | null, now: Instant): WindowNotice {
  const moments = found === null ? null : windowMoments(found.channel, found.window)
  if (found === null || moments === null || found.window.state === 'closed') return DONE
  if (now < moments.expiringAt) return { kind: 'later', runAt: moments.expiringAt }
  return {
    kind: 'announce',
    closedAt: null,
    event: {
      type: 'window.expiring',
      channel: found.channel,
      contactId: found.contactId,
      key: String(moments.closesAt),
      state: found.state,
      settings: found.settings,
      at: now,
      data: { expires_at: new Date(moments.closesAt).toISOString() },
    },
  }
}

/** The window's close, once it has really come (a customer message may have moved it). */
export function closedNotice(found: WindowAtJob | null, now: Instant): WindowNotice {
  const closesAt = found?.window.expiresAt ?? null
  if (found === null || closesAt === null) return DONE
  if (found.window.state === 'open') return { kind: 'later', runAt: closesAt }
  return {
    kind: 'announce',
    closedAt: closesAt,
    event: {
      type: 'window.closed',
      channel: found.channel,
      contactId: found.contactId,
      key: String(closesAt),
      state: found.state,
      settings: found.settings,
      at: now,
    },
  }
}

/** When the keep-alive reminder of an open window is due (`null`: none is, or the window has closed). */
export function keepAliveDue(found: WindowAtJob | null): Instant | null {
  const moments = found === null ? null : windowMoments(found.channel, found.window)
  if (found === null || found.window.state === 'closed') return null
  return moments?.keepAliveAt ?? null
}

/**
 * Queues the announcements window jobs decided, in one transaction's writes. A close is announced only by the
 * path that claims it (see `claimClosedAnnouncements`), all of a round's closes in one statement: the scheduler of
 * another instance, or the customer's next message, may have announced it already. Resolves to the closes this
 * call announced.
 */
export async function announce(tx: Store, notices: readonly WindowNotice[]): Promise<WindowAtClose[]> {
  const announcements = notices.flatMap((notice) => (notice.kind === 'announce' ? [notice] : []))
  const closes = announcements.flatMap(({ event, closedAt }) =>
    closedAt === null
      ? []
      : [{ channelId: event.channel.id, contactId: event.contactId, expiresAt: closedAt }],
  )
  const claimed = closes.length === 0 ? [] : await tx.claimClosedAnnouncements(closes)
  const events: EventInput[] = []
  const closed: WindowAtClose[] = []
  let close = 0
  for (const { event, closedAt } of announcements) {
    if (closedAt !== null) {
      if (claimed[close++] !== true) continue
      closed.push({ channel: event.channel, contactId: event.contactId, closedAt })
    }
    events.push(event)
  }
  await emitEvents(tx, events)
  return closed
}

/** A window whose close this instance announced. */
export interface WindowAtClose {
  readonly channel: ChannelRecord
  readonly contactId: string
  readonly closedAt: Instant
}
