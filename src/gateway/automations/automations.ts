import type { Logger } from 'pino'
import {
  HOUR_MS,
  MINUTE_MS,
  NEW_CONTACT,
  parsePlaceholders,
  windowAt,
  type ContactState,
  type Instant,
  type Template,
  type WindowSnapshot,
} from '../../domain/index.js'
import type { Clock } from '../../shared/clock.js'
import type { Directory } from '../directory.js'
import { emitEvent } from '../outbox/events.js'
import {
  announce,
  closedNotice,
  expiringNotice,
  keepAliveDue,
  type WindowAtJob,
  type WindowNotice,
} from '../contacts/window-lifecycle.js'
import type { CaseRecord, ChannelRecord, JobRecord, Store } from '../../store/store.js'
import { contactJobId, JOB_KINDS } from '../../scheduler/jobs.js'
import type { JobHandler, JobOutcome } from '../../scheduler/scheduler.js'
import { pruneClosesHandler } from '../contacts/close-pruning.js'

/** What an automation's send came to: it went through `decide` like any send, and was recorded either way. */
export interface InternalSendResult {
  readonly allowed: boolean
  /** carewindow's id of the recorded message (`null` when the request was refused before it was decided). */
  readonly messageId: string | null
  /** The decision's reason, or the catalogue key of the error carewindow answered (`null`: unknown). */
  readonly reason: string | null
}

/**
 * Sends a message on a channel's behalf, through the normal send path, once per idempotency key. Throws when Graph
 * did not take it (unreachable, rate-limiting): the job then fails and runs again when its lease ends, with the same key.
 */
export type InternalSend = (
  channel: ChannelRecord,
  body: unknown,
  idempotencyKey: string,
) => Promise<InternalSendResult>

export interface AutomationDependencies {
  readonly store: Store
  readonly directory: Directory
  readonly clock: Clock
  readonly logger: Logger
  readonly send: InternalSend
}

const DONE: JobOutcome = { done: true }

/** Whether a window job is done or runs again later. */
function outcomeOf(notice: WindowNotice): JobOutcome {
  return notice.kind === 'later' ? { done: false, runAt: notice.runAt } : DONE
}

/**
 * The handlers of carewindow's timed work. Each reads the contact's window as it is when the job runs: a job
 * whose moment has moved (the customer wrote again) reschedules itself, and one whose moment has passed (the
 * window closed while the scheduler was down) does nothing stale — no expiring notice, no reminder.
 *
 * The window events also run a round at a time (`batch`): the windows read in one query, the events written in
 * one transaction — at thousands of windows closing per second, per-job round trips and commits are the cost.
 */
export function automationHandlers(deps: AutomationDependencies): Record<string, JobHandler> {
  const contextOf = (
    channel: ChannelRecord,
    contactId: string,
    state: ContactState,
    now: Instant,
  ): WindowAtJob => {
    const { settings } = deps.directory.policyOf(channel)
    return { channel, contactId, settings, state, window: windowAt(channel.platform, state, now, settings) }
  }

  const context = async (job: JobRecord, now: Instant): Promise<WindowAtJob | null> => {
    const channel = await deps.directory.channelById(job.channelId)
    if (channel === undefined) return null
    const state = (await deps.store.getWindow(channel.id, job.contactId))?.state ?? NEW_CONTACT
    return contextOf(channel, job.contactId, state, now)
  }

  /** {@link context} for a round's jobs: each channel looked up once, its contacts' windows read in one query. */
  const contexts = async (jobs: readonly JobRecord[], now: Instant): Promise<(WindowAtJob | null)[]> => {
    const contactsByChannel = new Map<string, string[]>()
    for (const job of jobs) {
      const contacts = contactsByChannel.get(job.channelId)
      if (contacts === undefined) contactsByChannel.set(job.channelId, [job.contactId])
      else contacts.push(job.contactId)
    }
    const channels = new Map<string, ChannelRecord>()
    const states = new Map<string, ContactState>()
    for (const [channelId, contactIds] of contactsByChannel) {
      const channel = await deps.directory.channelById(channelId)
      if (channel === undefined) continue
      channels.set(channelId, channel)
      for (const window of await deps.store.getWindows(channelId, contactIds))
        states.set(`${channelId}\u0000${window.contactId}`, window.state)
    }
    return jobs.map((job) => {
      const channel = channels.get(job.channelId)
      const state = states.get(`${job.channelId}\u0000${job.contactId}`) ?? NEW_CONTACT
      return channel === undefined ? null : contextOf(channel, job.contactId, state, now)
    })
  }

  /** Writes what window jobs decided: their announcements, then the re-engagement of each window whose close it announced. */
  const write = async (tx: Store, notices: readonly WindowNotice[], now: Instant): Promise<void> => {
    for (const { channel, contactId, closedAt } of await announce(tx, notices)) {
      const reengagement = channel.automations.reengagement
      if (!reengagement.enabled || channel.platform !== 'whatsapp') continue
      const dueAt = closedAt + reengagement.delay_minutes * MINUTE_MS
      await scheduleReengagement(tx, channel, contactId, dueAt, 'window-closed', closedAt, now)
    }
  }

  const windowJob = (notice: (found: WindowAtJob | null, now: Instant) => WindowNotice): JobHandler =>
    Object.assign(
      async (job: JobRecord, now: Instant): Promise<JobOutcome> => {
        const decided = notice(await context(job, now), now)
        if (decided.kind === 'announce') await deps.store.transaction((tx) => write(tx, [decided], now))
        return outcomeOf(decided)
      },
      {
        batch: async (jobs: readonly JobRecord[], now: Instant): Promise<JobOutcome[]> => {
          const found = await contexts(jobs, now)
          const notices = jobs.map((_job, index) => notice(found[index] ?? null, now))
          if (notices.some((decided) => decided.kind === 'announce'))
            await deps.store.transaction((tx) => write(tx, notices, now))
          return notices.map(outcomeOf)
        },
      },
    )

  return {
    [JOB_KINDS.windowExpiring]: windowJob(expiringNotice),
    [JOB_KINDS.windowClosed]: windowJob(closedNotice),
    // The records of closes announced, spent once the customer wrote again.
    [JOB_KINDS.pruneCloses]: pruneClosesHandler(deps),

    [JOB_KINDS.keepAlive]: async (job, now) => {
      const found = await context(job, now)
      const dueAt = keepAliveDue(found)
      const expiresAt = found?.window.expiresAt ?? null
      if (found === null || dueAt === null || expiresAt === null) return DONE
      if (now < dueAt) return { done: false, runAt: dueAt }
      const { channel } = found
      const keepAlive = channel.automations.keep_alive
      const [openCase] = await deps.store.listCases(channel.id, {
        contactId: job.contactId,
        status: 'open',
        limit: 1,
      })
      if (openCase === undefined) return DONE
      const language = openCase.language ?? keepAlive.default_language
      const text =
        keepAlive.messages[language] ??
        keepAlive.messages[keepAlive.default_language] ??
        Object.values(keepAlive.messages)[0]
      if (text === undefined) return DONE
      // Once per window: the key names the window by its expiry, so racing instances and re-runs send it once.
      await deps.send(
        channel,
        textMessage(channel, job.contactId, text),
        `keep-alive:${channel.id}:${job.contactId}:${expiresAt}`,
      )
      return DONE
    },

    [JOB_KINDS.reengage]: async (job, now) => {
      const found = await context(job, now)
      if (found === null || found.channel.platform !== 'whatsapp') return DONE
      // The customer came back meanwhile: nothing to re-open.
      if (found.window.state === 'open') return DONE
      await reengage(deps, found.channel, job, found.window, now)
      return DONE
    },

    [JOB_KINDS.releaseHeld]: async (job, now) => {
      const found = await context(job, now)
      if (found === null) return DONE
      const { channel } = found
      // Replies a crashed release had claimed come first (they were held before the ones still waiting), and are
      // finished even if the window has closed since: their sends replay what the first try got, or are refused.
      const holds = [
        ...(await deps.store.listHolds(channel.id, job.contactId, 'releasing')),
        ...(found.window.state === 'closed'
          ? []
          : await deps.store.listHolds(channel.id, job.contactId, 'held')),
      ]
      for (const hold of holds) {
        if (hold.status === 'held') {
          if (hold.expiresAt <= now) {
            await deps.store.updateHold(hold.id, { status: 'expired' }, 'held')
            continue
          }
          // Claimed before it is sent, so a cancel at this moment answers 409 instead of "cancelled" for a reply
          // that goes out; one cancelled (or expired) just before is skipped.
          if (!(await deps.store.updateHold(hold.id, { status: 'releasing' }, 'held'))) continue
        }
        // The key makes a send a crash interrupted go out once when the release runs again.
        const result = await deps.send(channel, JSON.parse(hold.body), `hold:${hold.id}`)
        const status = result.allowed ? 'released' : 'failed'
        const changed = await deps.store.updateHold(
          hold.id,
          {
            status,
            messageId: result.messageId,
            releasedAt: now,
            error: result.allowed ? null : result.reason,
          },
          'releasing',
        )
        if (!changed) continue
        await emitEvent(deps.store, {
          type: 'held_message.released',
          channel,
          contactId: job.contactId,
          key: hold.id,
          state: found.state,
          settings: found.settings,
          at: now,
          data: { hold_id: hold.id, message_id: result.messageId, status, reason: result.reason },
        })
      }
      return DONE
    },

    [JOB_KINDS.holdExpiry]: async (job) => {
      const holdId = typeof job.payload.hold_id === 'string' ? job.payload.hold_id : undefined
      if (holdId !== undefined) await deps.store.updateHold(holdId, { status: 'expired' }, 'held')
      return DONE
    },
  }
}

/** Schedules the contact's re-engagement (one job per contact; scheduling again moves it). */
export async function scheduleReengagement(
  store: Store,
  channel: ChannelRecord,
  contactId: string,
  dueAt: Instant,
  reason: 'window-closed' | 'held',
  windowExpiresAt: Instant,
  now: Instant,
): Promise<void> {
  await store.scheduleJob(
    {
      id: contactJobId(JOB_KINDS.reengage, channel.id, contactId),
      kind: JOB_KINDS.reengage,
      channelId: channel.id,
      contactId,
      dueAt,
      payload: { reason, expires_at: windowExpiresAt },
    },
    now,
  )
}

/**
 * CCW-7: sends the channel's Issue Resolution template to invite the customer back, once per open case per
 * interval — or, for held replies without a case, once per closed window — with parameters from the case.
 * The send goes through `decide`: a refusal (template not approved, consent revoked) is recorded, not forced.
 */
async function reengage(
  deps: AutomationDependencies,
  channel: ChannelRecord,
  job: JobRecord,
  window: WindowSnapshot,
  now: Instant,
): Promise<void> {
  const settings = channel.automations.reengagement
  const expiresAt =
    typeof job.payload.expires_at === 'number' ? job.payload.expires_at : (window.expiresAt ?? 0)
  const cases = await deps.store.listCases(channel.id, {
    contactId: job.contactId,
    status: 'open',
    limit: 20,
  })
  const templates = await deps.directory.templatesOf(channel)
  const targets: (CaseRecord | null)[] =
    cases.length > 0 ? cases : job.payload.reason === 'held' ? [null] : []
  for (const target of targets) {
    if (target !== null) {
      const isRecent =
        target.lastReengagedAt !== null &&
        target.lastReengagedAt > now - settings.min_interval_hours * HOUR_MS
      if (isRecent) continue
    }
    const language =
      target !== null &&
      target.language !== null &&
      templates.find(settings.template.name, target.language) !== undefined
        ? target.language
        : settings.template.language
    const template = templates.find(settings.template.name, language)
    const body = templateMessage(
      job.contactId,
      settings.template.name,
      language,
      template,
      target,
      settings.default_parameters,
    )
    const key =
      target === null
        ? `reengage:${channel.id}:${job.contactId}:${expiresAt}`
        : `reengage:${target.id}:${expiresAt}`
    const result = await deps.send(channel, body, key)
    if (target !== null)
      await deps.store.claimReengagement(target.id, now, now - settings.min_interval_hours * HOUR_MS)
    const state = (await deps.store.getWindow(channel.id, job.contactId))?.state ?? NEW_CONTACT
    await emitEvent(deps.store, {
      type: 'case.reengaged',
      channel,
      contactId: job.contactId,
      key,
      state,
      settings: deps.directory.policyOf(channel).settings,
      at: now,
      data: {
        case_id: target?.id ?? null,
        external_id: target?.externalId ?? null,
        template: { name: settings.template.name, language },
        message_id: result.messageId,
        allowed: result.allowed,
        reason: result.reason,
      },
    })
  }
}

function textMessage(channel: ChannelRecord, contactId: string, text: string): unknown {
  return channel.platform === 'whatsapp'
    ? {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: contactId,
        type: 'text',
        text: { body: text },
      }
    : { recipient: { id: contactId }, messaging_type: 'RESPONSE', message: { text } }
}

/**
 * The Graph template send for re-engagement: each placeholder of the template's body filled from the case's
 * parameters (`ticket_id` falls back to the case's external id), then the channel's defaults. A placeholder left
 * without a value is left out — `decide` then refuses the send with 132000 and it is recorded.
 */
function templateMessage(
  contactId: string,
  name: string,
  language: string,
  template: Template | undefined,
  target: CaseRecord | null,
  defaults: Readonly<Record<string, string>>,
): unknown {
  const placeholders = template === undefined ? null : parsePlaceholders(template.body)
  const names = placeholders?.ok === true ? placeholders.placeholders.names : []
  const isNamed = placeholders?.ok === true && placeholders.placeholders.format === 'named'
  const valueOf = (parameter: string): string | undefined =>
    target?.parameters[parameter] ??
    (parameter === 'ticket_id' ? (target?.externalId ?? target?.id) : undefined) ??
    defaults[parameter]
  const parameters = names.flatMap((parameter) => {
    const text = valueOf(parameter)
    if (text === undefined) return []
    return [isNamed ? { type: 'text', parameter_name: parameter, text } : { type: 'text', text }]
  })
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: contactId,
    type: 'template',
    template: {
      name,
      language: { code: language },
      ...(parameters.length === 0 ? {} : { components: [{ type: 'body', parameters }] }),
    },
  }
}
